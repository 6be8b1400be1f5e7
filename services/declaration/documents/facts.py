"""The non-personal facts of a document that events carry (statistics read them).

What each figure means, per document kind (docs/declaration.md, "Events"):

* ``value`` — the document's principal amount in its own currency: an order's
  ``goodsValue``, a payment's ``amountPaid`` (export 收款单: ``charge``), a waybill's
  ``freight``, an inventory's Σ line ``totalPrice`` (goods only; freight and insurance
  are in the tax's dutiable value). Kinds without an amount carry 0.
* ``value_cny`` — converted with the customs monthly rate of the acceptance month
  (:class:`shared.fx.RateTable`), half-up to the fen; ``cny_rate`` is the rate used.
* ``country`` — the partner country: on import the origin (the inventory head's
  起运国, or, when that is China as on bonded 1210 inventories, the origin of the most
  valuable line), on export the destination (运抵国).
* ``chapters`` — value per HS chapter (first two digits of ``gcode``) for documents
  with priced, coded lines (inventories).
* ``mode`` — the inventory's ``tradeMode``; export orders of type B/W are 9710/9810.
  Orders, payments and waybills of other modes learn theirs when an inventory
  matches them (a ``status_changed`` event carries it).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, get_args

from services.declaration.ceb.issues import Issue
from services.declaration.ceb.model import Fields, Record, head_pointer
from services.declaration.documents.kinds import DocumentType
from shared.events.declaration import ChapterValue, Mode
from shared.fx import CNY, RateTable, UnknownRate

NO_RATE = "DDT-302"  # no CNY rate for the document's currency: it cannot be valued
_MODES = frozenset(get_args(Mode))
_ORDER_TYPE_MODES = {"B": "9710", "W": "9810"}
_VALUE_FIELD = {
    "CEB311": "goodsValue",
    "CEB303": "goodsValue",
    "CEB411": "amountPaid",
    "CEB403": "charge",
    "CEB511": "freight",
    "CEB505": "freight",
}
_ZERO = Decimal("0")


@dataclass(frozen=True)
class Valuation:
    """Currency, value and their CNY equivalent, partner country and chapters."""

    currency: str
    value: Decimal
    value_cny: Decimal
    cny_rate: Decimal
    country: str | None
    chapters: list[ChapterValue] = field(default_factory=list)

    def chapters_json(self) -> list[dict[str, Any]]:
        """Chapters as stored (decimals as strings)."""
        return [chapter.model_dump(mode="json") for chapter in self.chapters]


def mode_of(doc_type: DocumentType, record: Record) -> str | None:
    """The supervision mode a record states, if it states one."""
    head = record.head
    trade_mode = head.get("tradeMode")
    if isinstance(trade_mode, str) and trade_mode in _MODES:
        return trade_mode
    if doc_type.message_type == "CEB303":
        return _ORDER_TYPE_MODES.get(str(head.get("orderType", "")))
    return None


def value_document(
    doc_type: DocumentType, index: int, record: Record, rates: RateTable, on: dt.date
) -> Valuation | Issue:
    """The valuation of a record, or the issue saying its currency has no rate."""
    if doc_type.kind == "inventory":
        return _value_inventory(doc_type, index, record, rates, on)
    head = record.head
    amount_field = _VALUE_FIELD.get(doc_type.message_type)
    amount = head.get(amount_field) if amount_field else None
    currency = str(head.get("currency") or CNY)
    value = amount if isinstance(amount, Decimal) else _ZERO
    try:
        conversion = rates.convert(value, currency, on)
    except UnknownRate as exc:
        return Issue(
            NO_RATE, f"{exc}; the platform cannot value this document", head_pointer(index, "currency")
        )
    return Valuation(currency, value, conversion.value_cny, conversion.rate, _country(doc_type, record))


def _value_inventory(
    doc_type: DocumentType, index: int, record: Record, rates: RateTable, on: dt.date
) -> Valuation | Issue:
    currencies = {str(line.get("currency") or record.head.get("currency") or CNY) for line in record.lines}
    by_chapter: dict[str, list[Decimal]] = defaultdict(lambda: [_ZERO, _ZERO, _ZERO])
    total, total_cny = _ZERO, _ZERO
    for line_index, line in enumerate(record.lines):
        price = line.get("totalPrice")
        amount = price if isinstance(price, Decimal) else _ZERO
        currency = str(line.get("currency") or record.head.get("currency") or CNY)
        try:
            in_cny = rates.convert(amount, currency, on).value_cny
        except UnknownRate as exc:
            return Issue(
                NO_RATE,
                f"{exc}; the platform cannot value this line",
                f"/records/{index}/lines/{line_index}/currency",
            )
        total += amount
        total_cny += in_cny
        gcode = str(line.get("gcode", ""))
        if len(gcode) >= 2 and gcode[:2].isdigit():
            bucket = by_chapter[gcode[:2]]
            bucket[0] += amount
            bucket[1] += in_cny
            bucket[2] += 1
    mixed = len(currencies) > 1
    if mixed:
        # Lines in several currencies: the document (and its chapters) are valued in CNY only.
        currency, rate, value = CNY, Decimal(1), total_cny
    else:
        currency = currencies.pop() if currencies else str(record.head.get("currency") or CNY)
        rate, value = rates.rate(currency, on)[0], total
    chapters = [
        ChapterValue(
            chapter=chapter,
            value=amounts[1] if mixed else amounts[0],
            value_cny=amounts[1],
            quantity_lines=int(amounts[2]),
        )
        for chapter, amounts in sorted(by_chapter.items())
    ]
    return Valuation(currency, value, total_cny, rate, _country(doc_type, record), chapters)


def _country(doc_type: DocumentType, record: Record) -> str | None:
    head_country = record.head.get("country")
    if doc_type.direction == "export":
        return head_country if isinstance(head_country, str) and head_country else None
    if isinstance(head_country, str) and head_country and head_country != "142":
        return head_country
    return _main_line_country(record.lines)


def _main_line_country(lines: list[Fields]) -> str | None:
    best: tuple[Decimal, str] | None = None
    for line in lines:
        country = line.get("country")
        price = line.get("totalPrice")
        if not isinstance(country, str) or not country:
            continue
        amount = price if isinstance(price, Decimal) else _ZERO
        if best is None or amount > best[0]:
            best = (amount, country)
    return best[1] if best else None
