"""Bringing a document's fact (and through it every aggregate) up to date with its events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.aggregates.service import apply_delta
from services.stats.exchange_rates.service import rate_lookup
from services.stats.facts.models import Fact, FactChapter
from services.stats.facts.repository import FactRepository
from services.stats.facts.rules import (
    Contribution,
    DocumentEvent,
    DocumentState,
    RateLookup,
    contribution,
    event_time,
    fold,
)
from services.stats.history.store import document_events, parse_document_event
from services.stats.parties.service import refresh_first_activity
from shared.fx import CNY
from shared.problems import NOT_FOUND, ProblemError
from shared.sqltypes import utcnow


@dataclass(frozen=True)
class FactView:
    """A document's fact row and its chapters."""

    fact: Fact
    chapters: list[FactChapter]


def parsed_events(rows: Iterable[tuple[str, str, object]]) -> list[DocumentEvent]:
    """Logged rows → :class:`DocumentEvent` (time = customs time when supplied)."""
    events = []
    for event_id, event_type, data in rows:
        payload = parse_document_event(event_type, data)
        events.append(DocumentEvent(event_id, event_time(payload), payload))
    return events


def stored_contribution(fact: Fact | None, chapters: list[FactChapter]) -> Contribution | None:
    """The contribution a fact row currently makes (None if it does not count)."""
    if fact is None or not fact.counted or fact.business_day is None:
        return None
    return Contribution(
        party_id=fact.party_id,
        business_day=fact.business_day,
        mode=fact.mode,
        direction=fact.direction,
        country=fact.country,
        district=fact.district,
        park=fact.park,
        currency=fact.currency,
        documents=fact.documents,
        orders=fact.orders,
        value_fen=fact.value_fen,
        returned_fen=fact.returned_fen,
        value_orig_cents=fact.value_orig_cents,
        cny_rate=fact.cny_rate or Decimal(0),
        rate_month=fact.rate_month,
        rate_source=fact.rate_source or "",
        chapters=tuple(sorted((c.chapter, c.value_fen, c.lines) for c in chapters)),
    )


def fact_row(state: DocumentState, new: Contribution | None, now: dt.datetime) -> dict[str, object]:
    """The fact table row for a document's state and contribution."""
    facts = state.facts
    base: dict[str, object] = {
        "document_id": state.document_id,
        "party_id": facts.party_id,
        "message_type": facts.message_type,
        "status": state.status,
        "counted": new is not None,
        "counted_since": state.counted_since,
        "updated_at": now,
    }
    if new is None:
        base.update(
            business_day=None,
            mode=facts.mode or "",
            direction=facts.direction,
            country=facts.country or "",
            district=facts.district or "",
            park=facts.park or "",
            currency=facts.currency,
            documents=0,
            orders=0,
            value_fen=0,
            returned_fen=0,
            value_orig_cents=0,
            cny_rate=None,
            rate_month=None,
            rate_source=None,
        )
    else:
        base.update(
            business_day=new.business_day,
            **{k: v for k, v in new.dims().items() if k != "party_id"},
            **new.measures(),
            cny_rate=new.cny_rate,
            rate_month=new.rate_month,
            rate_source=new.rate_source,
        )
    return base


async def _rates_for(session: AsyncSession, state: DocumentState | None) -> RateLookup:
    if state is None or state.facts.currency == CNY:
        return lambda _currency, _day: None
    return await rate_lookup(session, state.facts.currency)


async def refresh_document(session: AsyncSession, document_id: str) -> bool:
    """Recompute a document from its logged events and apply the change everywhere; True if it changed."""
    state = fold(document_id, parsed_events(await document_events(session, document_id)))
    if state is None:
        return False
    new = contribution(state, await _rates_for(session, state))
    facts = FactRepository.from_session(session)
    fact = await facts.get(document_id)
    chapters = await facts.chapters(document_id)
    old = stored_contribution(fact, chapters)
    unchanged = (
        old == new
        and fact is not None
        and (fact.status, fact.counted_since) == (state.status, state.counted_since)
    )
    if unchanged:
        return False
    await apply_delta(session, old, new)
    await facts.keep(fact_row(state, new, utcnow()))
    if old != new:
        await facts.replace_chapters(
            document_id,
            [
                {"document_id": document_id, "chapter": c, "value_fen": v, "lines": n}
                for c, v, n in (new.chapters if new is not None else ())
            ],
        )
        parties = {c.party_id for c in (old, new) if c is not None}
        await refresh_first_activity(session, parties)
    # The ORM identity map may hold the old row; expire it so later reads see the upsert.
    facts.forget(*([fact] if fact is not None else []), *chapters)
    return True


async def revalue(session: AsyncSession, currencies: set[str], since: dt.date) -> int:
    """Recompute the counted facts in ``currencies`` from ``since`` on (new rates); how many changed."""
    ids = await FactRepository.from_session(session).counted_in(currencies, since)
    changed = 0
    for document_id in ids:
        changed += await refresh_document(session, document_id)
    return changed


async def fact_view(session: AsyncSession, document_id: str, party_id: str | None) -> FactView:
    """A document's fact and HS chapters; ``party_id``: only if it is that party's (None: anyone's).

    Someone else's document is "not found", so ids cannot be probed.
    """
    facts = FactRepository.from_session(session)
    row = await facts.get(document_id)
    if row is None or (party_id is not None and row.party_id != party_id):
        raise ProblemError(NOT_FOUND, "No such fact.")
    return FactView(row, await facts.chapters(document_id))
