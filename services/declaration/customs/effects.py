"""What a customs receipt causes beyond a status: returns valued, tax bills, summary results.

* **Returns.** When customs accepts a return (import CEB626 399 审结; export CEB214 800
  放行 — each kind's final state), the original inventory's value goes back: an
  :class:`~shared.events.declaration.InventoryReturned` event carries, in the inventory's
  own currency and per HS chapter, the original unit price × the returned quantity of
  each returned line (statistics reverse exactly that, in the inventory's period), and
  for an import the buyer's annual quota gets that amount back — the whole usage when
  every line went back in full (freight and insurance included then).
* **Tax bills.** CEB816 creates the bill (amounts, lines) and CEB818 moves its status
  (1 generated, 2 summarised, 3 voided) through the tax-bill lifecycle.
* **Summary results.** CEB792: the declaration (entryId, declSeqNo, decState) of a
  summary, and per inventory line the declaration line (gseqno); the inventories learn
  their declaration number.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.documents.lifecycle import canonical, facts
from shared.events.declaration import ChapterValue, InventoryReturned
from shared.fx import RateTable, UnknownRate

_FEN = Decimal("0.01")


@dataclass(frozen=True)
class ReturnedValue:
    """The value a return takes back from its inventory."""

    value: Decimal
    value_cny: Decimal
    chapters: list[ChapterValue]


def returned_value(
    inventory: Mapping[str, Any], returned_lines: Iterable[Mapping[str, Any]], rates: RateTable
) -> ReturnedValue:
    """Price × returned quantity per line of the original inventory, in its currency and in CNY.

    ``inventory`` is the stored document row (body, currency, cny_rate, accepted_at).
    """
    lines = {int(line.get("gnum", 0)): line for line in inventory["body"].get("lines", [])}
    head_currency = str(inventory["body"].get("head", {}).get("currency") or inventory["currency"])
    document_currency = inventory["currency"]
    on = inventory["accepted_at"].astimezone(CUSTOMS_TZ).date()
    total = Decimal(0)
    by_chapter: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0), Decimal(0)])
    for line in returned_lines:
        gnum = int(line.get("gnum", 0))
        original = lines.get(gnum)
        if original is None:
            continue
        qty = Decimal(str(line.get("qty", "0")))
        amount = Decimal(str(original.get("price", "0"))) * qty
        currency = str(original.get("currency") or head_currency)
        if currency != document_currency:
            # Lines in several currencies: the inventory is valued in CNY (documents/facts.py).
            try:
                amount = rates.convert(amount, currency, on).value_cny
            except UnknownRate:
                continue
        amount = amount.quantize(_FEN, ROUND_HALF_UP)
        total += amount
        gcode = str(original.get("gcode", ""))
        if len(gcode) >= 2 and gcode[:2].isdigit():
            bucket = by_chapter[gcode[:2]]
            bucket[0] += amount
            bucket[2] += 1
    rate = Decimal(str(inventory["cny_rate"]))
    chapters = [
        ChapterValue(
            chapter=chapter,
            value=canonical(amounts[0]),
            value_cny=canonical((amounts[0] * rate).quantize(_FEN, ROUND_HALF_UP)),
            quantity_lines=int(amounts[2]),
        )
        for chapter, amounts in sorted(by_chapter.items())
    ]
    return ReturnedValue(canonical(total), canonical((total * rate).quantize(_FEN, ROUND_HALF_UP)), chapters)


def returned_event(
    inventory_columns: Mapping[str, Any], return_id: str, value: ReturnedValue, occurred_at: dt.datetime
) -> InventoryReturned:
    """The event statistics reverse a return by (no personal data: facts and amounts only)."""
    return InventoryReturned(
        document=facts(inventory_columns),
        return_id=return_id,
        returned_chapters=value.chapters,
        returned_value=value.value,
        returned_value_cny=value.value_cny,
        occurred_at=occurred_at,
    )


def tax_bill_row(
    head: Mapping[str, Any], lines: Sequence[Mapping[str, Any]], document_id: str | None, receipt_id: int
) -> dict[str, Any]:
    """A ``customs_tax_bills`` row from a CEB816 record (amounts as Decimal)."""

    def amount(name: str) -> Decimal | None:
        value = head.get(name)
        return Decimal(str(value)) if value not in (None, "") else None

    return {
        "tax_no": str(head.get("taxNo", "")),
        "invt_no": str(head.get("invtNo", "")),
        "document_id": document_id,
        "customs_tax": amount("customsTax"),
        "value_added_tax": amount("valueAddedTax"),
        "consumption_tax": amount("consumptionTax"),
        "head": {k: str(v) for k, v in head.items()},
        "lines": [{k: str(v) for k, v in line.items()} for line in lines],
        "receipt_id": receipt_id,
    }


def summary_lines(
    result_id: int,
    head: Mapping[str, Any],
    lines: Iterable[Mapping[str, Any]],
    inventories: Mapping[str, str],
) -> list[dict[str, Any]]:
    """``customs_summary_lines`` rows of a CEB792 record; ``inventories`` maps invtNo → document id."""
    sum_no = str(head.get("sumNo", ""))
    entry_id = str(head["entryId"]) if head.get("entryId") else None
    return [
        {
            "result_id": result_id,
            "sum_no": sum_no,
            "entry_id": entry_id,
            "invt_no": str(line.get("invtNo", "")),
            "inventory_id": inventories.get(str(line.get("invtNo", ""))),
            "logistics_no": str(line.get("logisticsNo") or "") or None,
            "gnum": int(line.get("gnum", 0)),
            "gseqno": int(line.get("gseqno", 0)),
            "gcode": str(line.get("gcode") or "") or None,
        }
        for line in lines
    ]
