"""Pure three-document match (三单对碰) of an inventory against its partners, import and export.

**Import** (:func:`match_inventory`). Given a CEB621 inventory record and whichever of
its order (CEB311), payment (CEB411) and waybill (CEB511) records the caller has found
by key, decide whether the set matches.  Rules, from the import XSD annotations
(customs-domain.md §4.1):

* order ↔ inventory: orderNo, ebpCode, ebcCode, buyer identity (type, number,
  name, telephone), consigneeAddress, and the lines one-to-one by gnum with
  unit, qty, price, totalPrice, itemNo and item name ("gname 与电子订单一致");
* payment ↔ order: orderNo, ebpCode, amountPaid = acturalPaid, and
  payCode/payTransactionId when the order names them;
* waybill ↔ inventory/order: logisticsCode, logisticsNo, orderNo, and
  consignee, consigneeTelephone, consigneeAddress ("必须与电子运单一致").

Inferred comparisons that the spec does not state (inventory freight and
insuredFee = waybill's) are reported with the configurable
``MatchConfig.inferred_severity`` (review by default).  Buyer ≠ payer is a
review flag, never a mismatch (2016 No.26 and the 12360 guidance).  All
personal values in the report are masked.

**Export** (:func:`match_export_inventory`): export has no payment leg in the pre-check
(the 收款单 CEB403 follows the inventory, and the 2024 export reform drops it), so a
CEB603 inventory matches its CEB303 order and CEB505 waybill. Comparisons, from the
export XSD annotations and the import rules they mirror:

* order ↔ inventory: ``orderNo``, ``ebpCode``, ``ebcCode``; the order's ``orderType``
  fits the inventory's ``tradeMode`` (9710 ↔ B, 9810 ↔ W, 9610/1210/1239 ↔ E); lines
  one-to-one by ``gnum`` with ``unit``, ``qty``, ``price``, ``totalPrice``,
  ``currency``, ``itemNo`` (when both give it) and ``gname`` = the order's ``itemName``
  (configurable, as on import);
* waybill ↔ inventory: ``logisticsCode``, ``logisticsNo``, ``ebcCode``; ``freight``
  and ``grossWeight`` equal — inferred, not stated by the spec, so their severity is
  configurable (review by default).

Both report alike (:class:`MatchReport`); values go through the masking of
:mod:`services.declaration.personal_data.masking` (export documents carry no personal fields,
so nothing is hidden there in practice).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from services.declaration.ceb import codes
from services.declaration.ceb.issues import Issue, Severity
from services.declaration.ceb.model import Fields, FieldValue, Record
from services.declaration.personal_data.masking import masked


class MatchStatus(StrEnum):
    """Outcome of a three-document match."""

    WAITING = "waiting"
    MATCHED = "matched"
    MISMATCHED = "mismatched"


@dataclass(frozen=True)
class MatchConfig:
    """Which optional comparisons run, and how severe inferred ones are."""

    compare_gname_to_item_name: bool = True
    inferred_severity: Severity | None = Severity.REVIEW


@dataclass(frozen=True, slots=True)
class FieldMismatch:
    """One disagreement: which field, in which two documents, with masked values."""

    field: str
    left_document: str
    left_pointer: str
    left_value: str | None
    right_document: str
    right_pointer: str
    right_value: str | None
    severity: Severity = Severity.ERROR

    def to_dict(self) -> dict[str, object]:
        """JSON-able form."""
        return {
            "field": self.field,
            "left": {"document": self.left_document, "pointer": self.left_pointer, "value": self.left_value},
            "right": {
                "document": self.right_document,
                "pointer": self.right_pointer,
                "value": self.right_value,
            },
            "severity": self.severity.value,
        }


@dataclass(frozen=True)
class MatchResult:
    """Status, what is still missing, every mismatch, and review flags."""

    status: MatchStatus
    waiting_for: tuple[str, ...] = ()
    mismatches: tuple[FieldMismatch, ...] = ()
    review: tuple[FieldMismatch, ...] = ()
    issues: tuple[Issue, ...] = field(default=())

    def to_dict(self) -> dict[str, object]:
        """JSON-able report (personal values already masked)."""
        return {
            "status": self.status.value,
            "waitingFor": list(self.waiting_for),
            "mismatches": [m.to_dict() for m in self.mismatches],
            "review": [m.to_dict() for m in self.review],
        }


_ORDER_HEAD = (
    ("orderNo", "orderNo"),
    ("ebpCode", "ebpCode"),
    ("ebcCode", "ebcCode"),
    ("buyerIdType", "buyerIdType"),
    ("buyerIdNumber", "buyerIdNumber"),
    ("buyerName", "buyerName"),
    ("buyerTelephone", "buyerTelephone"),
    ("consigneeAddress", "consigneeAddress"),
)
_LINE_FIELDS = ("unit", "qty", "price", "totalPrice")
_PAYER_FIELDS = frozenset({"payerIdNumber", "payerName"})


class MatchReport:
    """Field disagreements found so far, split into errors and review flags.

    Shared by the import and the export match, so both report alike.
    """

    def __init__(self, config: MatchConfig) -> None:
        self.config = config
        self.mismatches: list[FieldMismatch] = []
        self.review: list[FieldMismatch] = []

    def compare(
        self,
        left: tuple[str, str, FieldValue | None],
        right: tuple[str, str, FieldValue | None],
        field_name: str,
        severity: Severity | None = Severity.ERROR,
    ) -> None:
        (left_doc, left_ptr, left_value), (right_doc, right_ptr, right_value) = left, right
        if severity is None or _same(left_value, right_value):
            return
        mismatch = FieldMismatch(
            field=field_name,
            left_document=left_doc,
            left_pointer=left_ptr,
            left_value=masked(field_name, left_value),
            right_document=right_doc,
            right_pointer=right_ptr,
            right_value=masked(field_name, right_value),
            severity=severity,
        )
        (self.mismatches if severity is Severity.ERROR else self.review).append(mismatch)

    def compare_lines(
        self, inventory: Record, order: Record, line_fields: tuple[str, ...] = _LINE_FIELDS
    ) -> None:
        """Inventory and order lines one-to-one by ``gnum``: ``line_fields``, ``itemNo`` when
        both give it, and ``gname`` against the order's ``itemName`` when configured."""
        inv_lines = {line.get("gnum"): (i, line) for i, line in enumerate(inventory.lines)}
        order_lines = {line.get("gnum"): (i, line) for i, line in enumerate(order.lines)}
        for gnum in sorted(set(inv_lines) | set(order_lines), key=str):
            if gnum not in order_lines or gnum not in inv_lines:
                i, _ = inv_lines.get(gnum) or order_lines[gnum]
                doc_has = "inventory" if gnum in inv_lines else "order"
                self.mismatches.append(
                    FieldMismatch(
                        field="gnum",
                        left_document="inventory",
                        left_pointer=f"/lines/{i}/gnum" if doc_has == "inventory" else "/lines",
                        left_value=str(gnum) if doc_has == "inventory" else None,
                        right_document="order",
                        right_pointer=f"/lines/{i}/gnum" if doc_has == "order" else "/lines",
                        right_value=str(gnum) if doc_has == "order" else None,
                    )
                )
                continue
            (ii, inv_line), (oi, order_line) = inv_lines[gnum], order_lines[gnum]
            for name in line_fields:
                self.compare(
                    line_field("inventory", ii, inv_line, name),
                    line_field("order", oi, order_line, name),
                    name,
                )
            if inv_line.get("itemNo") and order_line.get("itemNo"):
                self.compare(
                    line_field("inventory", ii, inv_line, "itemNo"),
                    line_field("order", oi, order_line, "itemNo"),
                    "itemNo",
                )
            if self.config.compare_gname_to_item_name:
                self.compare(
                    line_field("inventory", ii, inv_line, "gname"),
                    line_field("order", oi, order_line, "itemName"),
                    "gname",
                )

    def result(self, missing: tuple[str, ...]) -> MatchResult:
        """The verdict: mismatched on any error, else waiting while a partner is ``missing``."""
        issues = tuple(
            Issue(
                codes.MATCH_BUYER_NOT_PAYER if m.field in _PAYER_FIELDS else codes.MATCH_MISMATCH,
                f"{m.field}: {m.left_document} {m.left_value!r} ≠ {m.right_document} {m.right_value!r}",
                m.left_pointer if m.left_document == "inventory" else m.right_pointer,
                severity=m.severity,
            )
            for m in (*self.mismatches, *self.review)
        )
        if self.mismatches:
            status = MatchStatus.MISMATCHED
        elif missing:
            status = MatchStatus.WAITING
        else:
            status = MatchStatus.MATCHED
        return MatchResult(status, missing, tuple(self.mismatches), tuple(self.review), issues)


def match_inventory(
    inventory: Record,
    order: Record | None = None,
    payment: Record | None = None,
    waybill: Record | None = None,
    config: MatchConfig | None = None,
) -> MatchResult:
    """Match one CEB621 inventory record against its order, payment and waybill.

    Pointers in the report are relative to each document's own record
    (``/head/orderNo``, ``/lines/0/qty``).
    """
    report = MatchReport(config or MatchConfig())
    inv = inventory.head
    if order is not None:
        for inv_field, order_field in _ORDER_HEAD:
            report.compare(_h("inventory", inv, inv_field), _h("order", order.head, order_field), inv_field)
        report.compare_lines(inventory, order)
    if payment is not None:
        pay = payment.head
        report.compare(_h("payment", pay, "orderNo"), _h("inventory", inv, "orderNo"), "orderNo")
        report.compare(_h("payment", pay, "ebpCode"), _h("inventory", inv, "ebpCode"), "ebpCode")
        if order is not None:
            report.compare(
                _h("payment", pay, "amountPaid"), _h("order", order.head, "acturalPaid"), "amountPaid"
            )
            for name in ("payCode", "payTransactionId"):
                if str(order.head.get(name, "")).strip():
                    report.compare(_h("payment", pay, name), _h("order", order.head, name), name)
        _buyer_is_payer(report, inv, pay)
    if waybill is not None:
        way = waybill.head
        for name in ("logisticsCode", "logisticsNo", "orderNo", "consigneeAddress"):
            report.compare(_h("waybill", way, name), _h("inventory", inv, name), name)
        if order is not None:
            for name in ("consignee", "consigneeTelephone", "consigneeAddress"):
                report.compare(_h("waybill", way, name), _h("order", order.head, name), name)
        for name in ("freight", "insuredFee"):
            if name in way:
                report.compare(
                    _h("waybill", way, name),
                    _h("inventory", inv, name),
                    name,
                    report.config.inferred_severity,
                )
    missing = tuple(
        name
        for name, record in (("order", order), ("payment", payment), ("waybill", waybill))
        if record is None
    )
    return report.result(missing)


def _buyer_is_payer(report: MatchReport, inventory: Fields, payment: Fields) -> None:
    for buyer, payer in (("buyerIdNumber", "payerIdNumber"), ("buyerName", "payerName")):
        report.compare(
            _h("payment", payment, payer), _h("inventory", inventory, buyer), payer, Severity.REVIEW
        )


def head_field(document: str, head: Fields, name: str) -> tuple[str, str, FieldValue | None]:
    """(document, pointer, value) of a head field, for :meth:`MatchReport.compare`."""
    return document, f"/head/{name}", head.get(name)


def line_field(document: str, index: int, line: Fields, name: str) -> tuple[str, str, FieldValue | None]:
    """(document, pointer, value) of a field of line ``index``."""
    return document, f"/lines/{index}/{name}", line.get(name)


_h = head_field


# --- export ---------------------------------------------------------------------------------------

ORDER_TYPE_FOR_MODE = {"9710": "B", "9810": "W", "9610": "E", "1210": "E", "1239": "E"}
_EXPORT_LINE_FIELDS = ("unit", "qty", "price", "totalPrice", "currency")


def match_export_inventory(
    inventory: Record,
    order: Record | None = None,
    waybill: Record | None = None,
    config: MatchConfig | None = None,
) -> MatchResult:
    """Match one CEB603 record against its CEB303 order and CEB505 waybill."""
    config = config or MatchConfig()
    report = MatchReport(config)
    inv = inventory.head
    if order is not None:
        for name in ("orderNo", "ebpCode", "ebcCode"):
            report.compare(_h("inventory", inv, name), _h("order", order.head, name), name)
        expected = ORDER_TYPE_FOR_MODE.get(str(inv.get("tradeMode", "")))
        if expected is not None:
            report.compare(
                ("inventory", "/head/tradeMode", expected), _h("order", order.head, "orderType"), "orderType"
            )
        report.compare_lines(inventory, order, _EXPORT_LINE_FIELDS)
    if waybill is not None:
        way = waybill.head
        for name in ("logisticsCode", "logisticsNo", "ebcCode"):
            report.compare(_h("waybill", way, name), _h("inventory", inv, name), name)
        for name in ("freight", "grossWeight"):
            if name in way and name in inv:
                report.compare(
                    _h("waybill", way, name), _h("inventory", inv, name), name, config.inferred_severity
                )
    missing = tuple(name for name, record in (("order", order), ("waybill", waybill)) if record is None)
    return report.result(missing)


def _same(left: FieldValue | None, right: FieldValue | None) -> bool:
    # Decimal("10") == Decimal("10.00"): amounts compare by value, not by text.
    if isinstance(left, Decimal) and isinstance(right, Decimal):
        return left == right
    return (left if left is not None else "") == (right if right is not None else "")
