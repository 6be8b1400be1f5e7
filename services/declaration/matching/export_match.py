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

from services.declaration.ceb.matching import (
    MatchConfig,
    MatchReport,
    MatchResult,
    head_field,
)
from services.declaration.ceb.model import Record

ORDER_TYPE_FOR_MODE = {"9710": "B", "9810": "W", "9610": "E", "1210": "E", "1239": "E"}
_LINE_FIELDS = ("unit", "qty", "price", "totalPrice", "currency")
_h = head_field


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
        report.compare_lines(inventory, order, _LINE_FIELDS)
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
