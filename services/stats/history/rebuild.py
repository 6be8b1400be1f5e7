"""Rebuilding every statistic from the consumed-event log.

The live path and the rebuild share the rules: facts are re-folded from each
document's logged events with :func:`..facts.rules.fold` and
:func:`..facts.rules.contribution`; aggregates are then recomputed in SQL from the
facts; the party mirror, traffic and message volume are replayed in log order
through the same functions the consumer calls. The result equals what the
consumer built incrementally (``tests/stats/test_rebuild.py``).

The rebuild runs in one transaction: readers keep seeing the old figures until it
commits (PostgreSQL), and the consumer waits for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.aggregates.models import SPECS
from services.stats.aggregates.service import rebuild_aggregates
from services.stats.base import table_of
from services.stats.exchange_rates.repository import RateRepository
from services.stats.exchange_rates.service import lookup_from
from services.stats.facts.models import Fact, FactChapter
from services.stats.facts.repository import FactRepository
from services.stats.facts.rules import DocumentState, contribution, fold
from services.stats.facts.service import fact_row, parsed_events
from services.stats.history.repository import EventLogRepository
from services.stats.history.store import stream_events
from services.stats.parties.models import FirstActivity, PartyMirror
from services.stats.parties.service import apply_registered, apply_status
from services.stats.platform.models import AcceptedDocument, AcceptedDocumentsDay, ApiTrafficHour
from services.stats.platform.service import apply_traffic, count_accepted
from shared.events.declaration import DocumentAccepted
from shared.events.gateway import ApiTrafficCounted, PartyRegistered, PartyStatusChanged
from shared.fx import RateTable
from shared.sqltypes import utcnow

_BATCH = 2000


@dataclass(frozen=True)
class RebuildReport:
    """What the rebuild replayed."""

    documents: int
    counted: int
    events: int


async def _flush(
    session: AsyncSession, facts: list[dict[str, object]], chapters: list[dict[str, object]]
) -> None:
    await FactRepository.from_session(session).insert_many(facts, chapters)
    facts.clear()
    chapters.clear()


async def rebuild_all(session: AsyncSession) -> RebuildReport:
    """Clear every derived table and recompute it from ``stats_event_log``."""
    await EventLogRepository.from_session(session).clear(
        [
            *(s.table for s in SPECS),
            table_of(FactChapter),
            table_of(Fact),
            table_of(FirstActivity),
            table_of(PartyMirror),
            table_of(ApiTrafficHour),
            table_of(AcceptedDocument),
            table_of(AcceptedDocumentsDay),
        ]
    )
    lookup = lookup_from(RateTable(await RateRepository.from_session(session).rates()))
    now = utcnow()
    documents = counted = events = 0
    fact_rows: list[dict[str, object]] = []
    chapter_rows: list[dict[str, object]] = []
    current: str | None = None
    pending: list[tuple[str, str, object]] = []

    def settle() -> DocumentState | None:
        return fold(current or "", parsed_events(pending)) if pending else None

    async def emit(state: DocumentState | None) -> None:
        nonlocal documents, counted
        if state is None:
            return
        new = contribution(state, lookup)
        documents += 1
        counted += new is not None
        fact_rows.append(fact_row(state, new, now))
        if new is not None:
            chapter_rows.extend(
                {"document_id": state.document_id, "chapter": c, "value_fen": v, "lines": n}
                for c, v, n in new.chapters
            )
        if len(fact_rows) >= _BATCH:
            await _flush(session, fact_rows, chapter_rows)

    # Read the whole stream first: one cursor cannot stay open while inserts run on SQLite.
    logged = [
        (e.subject, e.event_id, e.event_type, e.data)
        async for e in stream_events(session, "document", order_by_subject=True)
    ]
    for subject, event_id, event_type, data in logged:
        events += 1
        if subject != current:
            await emit(settle())
            current, pending = subject, []
        pending.append((event_id, event_type, data))
    await emit(settle())
    await _flush(session, fact_rows, chapter_rows)
    await rebuild_aggregates(session)

    for stream in ("party", "traffic", "accepted"):
        replay = [(e.event_type, e.data) async for e in stream_events(session, stream)]
        for event_type, data in replay:
            events += 1
            if event_type.startswith(PartyRegistered.event_type + "."):
                await apply_registered(session, PartyRegistered.model_validate(data))
            elif event_type.startswith(PartyStatusChanged.event_type + "."):
                await apply_status(session, PartyStatusChanged.model_validate(data))
            elif event_type.startswith(ApiTrafficCounted.event_type + "."):
                await apply_traffic(session, ApiTrafficCounted.model_validate(data))
            elif event_type.startswith(DocumentAccepted.event_type + "."):
                await count_accepted(session, DocumentAccepted.model_validate(data))
    return RebuildReport(documents=documents, counted=counted, events=events)
