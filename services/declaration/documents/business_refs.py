"""The business references a document's events carry for the other services.

Logistics links shipments to their order, waybill and inventory by these numbers, and
learns the conveyance (trafMode, trafName, voyageNo, billNo) and the customs office and
supervised site from the inventory. They are read from what the document stores: the
link keys (``order_ref`` = ``ebpCode|orderNo``, ``waybill_ref`` = ``logisticsCode|logisticsNo``),
the customs-assigned ``invt_no`` when the caller has it, and the head of the stored body
(which holds no personal field) when it is at hand. None of them is personal data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: DocumentFacts field → the head field it is read from.
_HEAD_FIELDS = {
    "logistics_name": "logisticsName",
    "customs_code": "customsCode",
    "port_code": "portCode",
    "loct_no": "loctNo",
    "traf_mode": "trafMode",
    "traf_name": "trafName",
    "voyage_no": "voyageNo",
    "bill_no": "billNo",
}
_LIMITS = {"traf_name": 100, "bill_no": 37, "voyage_no": 32, "logistics_name": 100}


def _text(value: Any, limit: int = 60) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()[:limit]
    return None


def _after_bar(ref: Any) -> tuple[str | None, str | None]:
    if not isinstance(ref, str) or "|" not in ref:
        return None, None
    first, second = ref.split("|", 1)
    return _text(first), _text(second)


def business_references(columns: Mapping[str, Any]) -> dict[str, Any]:
    """The optional reference fields of :class:`shared.events.declaration.DocumentFacts`."""
    _ebp, order_no = _after_bar(columns.get("order_ref"))
    logistics_code, logistics_no = _after_bar(columns.get("waybill_ref"))
    body = columns.get("body")
    head = body.get("head", {}) if isinstance(body, Mapping) else {}
    found: dict[str, Any] = {
        "order_no": order_no or _text(head.get("orderNo")),
        "logistics_code": logistics_code or _text(head.get("logisticsCode"), 18),
        "logistics_no": logistics_no or _text(head.get("logisticsNo")),
        "invt_no": _text(columns.get("invt_no")) or _text(head.get("invtNo"), 20),
    }
    for name, field in _HEAD_FIELDS.items():
        found[name] = _text(head.get(field), _LIMITS.get(name, 60))
    return found


__all__ = ["business_references"]
