"""What a customs inventory contributes to the statistics — a pure function of its events.

A document's contribution is computed from the *set* of its events, never from
their arrival order, so a late, duplicated or out-of-order event leaves the same
figures as an orderly stream (the property the tests and the rebuild rely on):

* **Which documents count.** Inventories (``document_kind == "inventory"``: the
  customs 清单 of 1210/1239/9610/9710/9810 goods) whose effective status is
  ``released`` (customs 800 放行), ``closed`` (899 结关) or ``cleared`` (a synonym some
  producers use for 结关). Orders, payments and waybills describe the same trade and
  would count it twice; they feed the platform's message volume instead.
* **Effective status.** The highest-ranked status seen, with the ranks of the shared
  vocabulary (:mod:`shared.events.statuses`: released 90 < cancelled 95 < closed 100): a cancellation after
  release removes the document; a stale "released" arriving after "cancelled"
  changes nothing; anything below release (rejected, returned by customs 700 …)
  never counted.
* **The day it belongs to.** The Beijing calendar day of the *earliest* counting
  status (release, or closure when the release receipt never came). A late event
  therefore lands in its own period, not in the period it arrived in.
* **Facts used.** The document facts of its latest event (by time, then event id).
* **Value.** ``value`` in the document currency × the customs monthly rate of the
  fact's month from the statistics' own rate table (rate and month recorded); the
  declaration's ``cny_rate`` only when the table has no rate for the currency.
* **Returns** (``InventoryReturned``, one per ``return_id`` however often delivered)
  reduce the value of the document *in the document's own period*, converted at the
  document's rate; a return of the whole value removes the document and its orders
  (no real transaction is left). A cancellation removes the document, likewise in
  its own period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from services.stats.base import UNKNOWN
from services.stats.periods import business_day
from shared.events.declaration import DocumentFacts, DocumentStatusChanged, InventoryReturned
from shared.events.statuses import COUNTING_STATUSES
from shared.fx import CNY

RateLookup = Callable[[str, dt.date], tuple[Decimal, str] | None]
"""(currency, day) → (CNY per unit, month of the rate) from the statistics' table, or None."""

_CENT = Decimal(1)


def to_fen(value: Decimal) -> int:
    """An amount in units → integer hundredths, half-up (CNY: fen)."""
    return int((value * 100).quantize(_CENT, rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class DocumentEvent:
    """One logged event of a document, parsed."""

    event_id: str
    occurred_at: dt.datetime
    data: DocumentStatusChanged | InventoryReturned


@dataclass(frozen=True)
class DocumentState:
    """The merge of a document's events (independent of their order)."""

    document_id: str
    facts: DocumentFacts
    status: str
    counted_since: dt.datetime | None
    returns: dict[str, InventoryReturned] = field(default_factory=dict)

    @property
    def counts(self) -> bool:
        return (
            self.facts.document_kind == "inventory"
            and self.status in COUNTING_STATUSES
            and self.counted_since is not None
        )


@dataclass(frozen=True)
class Contribution:
    """What a counted document adds to every aggregate (one key, exact integer measures)."""

    party_id: str
    business_day: dt.date
    mode: str
    direction: str
    country: str
    district: str
    park: str
    currency: str
    documents: int
    orders: int
    value_fen: int
    returned_fen: int
    value_orig_cents: int
    cny_rate: Decimal
    rate_month: str | None
    rate_source: str
    chapters: tuple[tuple[str, int, int], ...] = ()  # (chapter, net value fen, lines)

    def dims(self) -> dict[str, str]:
        """Dimension values by column name."""
        return {
            "party_id": self.party_id,
            "mode": self.mode,
            "direction": self.direction,
            "country": self.country,
            "district": self.district,
            "park": self.park,
            "currency": self.currency,
        }

    def measures(self) -> dict[str, int]:
        """Fact measures by column name."""
        return {
            "documents": self.documents,
            "orders": self.orders,
            "value_fen": self.value_fen,
            "returned_fen": self.returned_fen,
            "value_orig_cents": self.value_orig_cents,
        }


def event_time(data: DocumentStatusChanged | InventoryReturned) -> dt.datetime:
    """When the change happened: the customs time if the producer supplies one, else ``occurred_at``."""
    customs_time = getattr(data, "customs_time", None)
    return customs_time if isinstance(customs_time, dt.datetime) else data.occurred_at


def fold(document_id: str, events: Iterable[DocumentEvent]) -> DocumentState | None:
    """Merge a document's events into its state; None if there is none."""
    ordered = sorted(events, key=lambda e: (e.occurred_at, e.event_id))
    if not ordered:
        return None
    facts = ordered[-1].data.document
    best: tuple[int, dt.datetime, str] | None = None
    status = "unknown"
    counted_since: dt.datetime | None = None
    returns: dict[str, InventoryReturned] = {}
    for event in ordered:
        data = event.data
        if isinstance(data, InventoryReturned):
            returns.setdefault(data.return_id, data)  # the first delivery of a return id wins
            continue
        rank = data.status.rank
        candidate = (rank, event.occurred_at, event.event_id)
        if best is None or candidate > best:
            best, status = candidate, data.status
        if data.status in COUNTING_STATUSES:
            at = event.occurred_at
            counted_since = at if counted_since is None else min(counted_since, at)
    return DocumentState(document_id, facts, status, counted_since, returns)


def _dim(value: str | None) -> str:
    return value if value else UNKNOWN


def contribution(state: DocumentState | None, rates: RateLookup) -> Contribution | None:
    """The document's contribution, or None when it does not count."""
    if state is None or not state.counts:
        return None
    assert state.counted_since is not None
    facts = state.facts
    day = business_day(state.counted_since)
    if facts.currency == CNY:
        rate, rate_month, source = Decimal(1), f"{day:%Y-%m}", "cny"
    else:
        found = rates(facts.currency, day)
        if found is not None:
            rate, rate_month, source = found[0], found[1], "table"
        else:
            rate, rate_month, source = facts.cny_rate, None, "document"
    gross_fen = to_fen(facts.value * rate)
    returned_orig = sum((r.returned_value for r in state.returns.values()), Decimal(0))
    returned_fen = min(gross_fen, to_fen(returned_orig * rate)) if state.returns else 0
    if state.returns and returned_fen >= gross_fen and returned_orig >= facts.value:
        return None  # everything went back: no real transaction is left
    returned_by_chapter: dict[str, Decimal] = {}
    for returned in state.returns.values():
        for chapter in returned.returned_chapters:
            returned_by_chapter[chapter.chapter] = (
                returned_by_chapter.get(chapter.chapter, Decimal(0)) + chapter.value
            )
    chapters: list[tuple[str, int, int]] = []
    for chapter in sorted(facts.chapters, key=lambda c: c.chapter):
        net = to_fen(chapter.value * rate) - to_fen(
            returned_by_chapter.get(chapter.chapter, Decimal(0)) * rate
        )
        if net > 0:
            chapters.append((chapter.chapter, net, chapter.quantity_lines))
    return Contribution(
        party_id=facts.party_id,
        business_day=day,
        mode=_dim(facts.mode),
        direction=facts.direction,
        country=_dim(facts.country),
        district=_dim(facts.district),
        park=_dim(facts.park),
        currency=facts.currency,
        documents=1,
        orders=facts.order_count,
        value_fen=gross_fen - returned_fen,
        returned_fen=returned_fen,
        value_orig_cents=max(0, to_fen(facts.value - returned_orig)),
        cny_rate=rate,
        rate_month=rate_month,
        rate_source=source,
        chapters=tuple(_merge_chapters(chapters)),
    )


def _merge_chapters(rows: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    # A producer may list a chapter twice; the key (document, chapter) must be unique.
    merged: dict[str, tuple[int, int]] = {}
    for chapter, value, lines in rows:
        value0, lines0 = merged.get(chapter, (0, 0))
        merged[chapter] = (value0 + value, lines0 + lines)
    return [(chapter, value, lines) for chapter, (value, lines) in sorted(merged.items())]
