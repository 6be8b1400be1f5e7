"""Pure match of an export inventory (CEB603) against its order (CEB303) and waybill (CEB505).

The pure core matches import inventories only (:func:`ceb.matching.match_inventory`);
export has no payment leg in the pre-check (the 收款单 CEB403 follows the inventory,
and the 2024 export reform drops it), so an export inventory matches two documents.
Comparisons, from the export XSD annotations and the import rules they mirror:

* order ↔ inventory: ``orderNo``, ``ebpCode``, ``ebcCode``; the order's ``orderType``
  fits the inventory's ``tradeMode`` (9710 ↔ B, 9810 ↔ W, 9610/1210/1239 ↔ E); lines
  one-to-one by ``gnum`` with ``unit``, ``qty``, ``price``, ``totalPrice``,
  ``currency``, ``itemNo`` (when both give it) and ``gname`` = the order's ``itemName``
  (configurable, as on import);
* waybill ↔ inventory: ``logisticsCode``, ``logisticsNo``, ``ebcCode``; ``freight``
  and ``grossWeight`` equal — inferred, not stated by the spec, so their severity is
  configurable (review by default).

Values in the report go through :func:`ceb.masking.masked` like the import report
(export documents carry no personal fields, so nothing is hidden in practice).
"""

from __future__ import annotations

from decimal import Decimal

from services.declaration.ceb import codes
from services.declaration.ceb.issues import Issue, Severity
from services.declaration.ceb.masking import masked
from services.declaration.ceb.matching import FieldMismatch, MatchConfig, MatchResult, MatchStatus
from services.declaration.ceb.model import Fields, FieldValue, Record

ORDER_TYPE_FOR_MODE = {"9710": "B", "9810": "W", "9610": "E", "1210": "E", "1239": "E"}
_LINE_FIELDS = ("unit", "qty", "price", "totalPrice", "currency")


class _Report:
    def __init__(self) -> None:
        self.mismatches: list[FieldMismatch] = []
        self.review: list[FieldMismatch] = []

    def compare(
        self,
        left: tuple[str, str, FieldValue | None],
        right: tuple[str, str, FieldValue | None],
        name: str,
        severity: Severity | None = Severity.ERROR,
    ) -> None:
        if severity is None or _same(left[2], right[2]):
            return
        mismatch = FieldMismatch(
            name,
            left[0],
            left[1],
            masked(name, left[2]),
            right[0],
            right[1],
            masked(name, right[2]),
            severity,
        )
        (self.mismatches if severity is Severity.ERROR else self.review).append(mismatch)


def match_export_inventory(
    inventory: Record,
    order: Record | None = None,
    waybill: Record | None = None,
    config: MatchConfig | None = None,
) -> MatchResult:
    """Match one CEB603 record against its CEB303 order and CEB505 waybill."""
    config = config or MatchConfig()
    report = _Report()
    inv = inventory.head
    if order is not None:
        for name in ("orderNo", "ebpCode", "ebcCode"):
            report.compare(_h("inventory", inv, name), _h("order", order.head, name), name)
        expected = ORDER_TYPE_FOR_MODE.get(str(inv.get("tradeMode", "")))
        if expected is not None:
            report.compare(
                ("inventory", "/head/tradeMode", expected), _h("order", order.head, "orderType"), "orderType"
            )
        _compare_lines(report, inventory, order, config)
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
    issues = tuple(
        Issue(
            codes.MATCH_MISMATCH,
            f"{m.field}: {m.left_document} {m.left_value!r} ≠ {m.right_document} {m.right_value!r}",
            m.left_pointer if m.left_document == "inventory" else m.right_pointer,
            severity=m.severity,
        )
        for m in (*report.mismatches, *report.review)
    )
    if report.mismatches:
        status = MatchStatus.MISMATCHED
    elif missing:
        status = MatchStatus.WAITING
    else:
        status = MatchStatus.MATCHED
    return MatchResult(status, missing, tuple(report.mismatches), tuple(report.review), issues)


def _compare_lines(report: _Report, inventory: Record, order: Record, config: MatchConfig) -> None:
    inv_lines = {line.get("gnum"): (i, line) for i, line in enumerate(inventory.lines)}
    order_lines = {line.get("gnum"): (i, line) for i, line in enumerate(order.lines)}
    for gnum in sorted(set(inv_lines) | set(order_lines), key=str):
        if gnum not in inv_lines or gnum not in order_lines:
            in_inventory = gnum in inv_lines
            i = (inv_lines.get(gnum) or order_lines[gnum])[0]
            report.mismatches.append(
                FieldMismatch(
                    "gnum",
                    "inventory",
                    f"/lines/{i}/gnum" if in_inventory else "/lines",
                    str(gnum) if in_inventory else None,
                    "order",
                    f"/lines/{i}/gnum" if not in_inventory else "/lines",
                    None if in_inventory else str(gnum),
                )
            )
            continue
        (ii, inv_line), (oi, order_line) = inv_lines[gnum], order_lines[gnum]
        for name in _LINE_FIELDS:
            if name in inv_line or name in order_line:
                report.compare(_l("inventory", ii, inv_line, name), _l("order", oi, order_line, name), name)
        if inv_line.get("itemNo") and order_line.get("itemNo"):
            report.compare(
                _l("inventory", ii, inv_line, "itemNo"), _l("order", oi, order_line, "itemNo"), "itemNo"
            )
        if config.compare_gname_to_item_name:
            report.compare(
                _l("inventory", ii, inv_line, "gname"), _l("order", oi, order_line, "itemName"), "gname"
            )


def _h(document: str, head: Fields, name: str) -> tuple[str, str, FieldValue | None]:
    return document, f"/head/{name}", head.get(name)


def _l(document: str, index: int, line: Fields, name: str) -> tuple[str, str, FieldValue | None]:
    return document, f"/lines/{index}/{name}", line.get(name)


def _same(left: FieldValue | None, right: FieldValue | None) -> bool:
    if isinstance(left, Decimal) and isinstance(right, Decimal):
        return left == right
    return (left if left is not None else "") == (right if right is not None else "")
