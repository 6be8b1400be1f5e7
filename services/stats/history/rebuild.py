"""Rebuilding every statistic from the consumed-event log.

The live path and the rebuild share the rules: facts are re-folded from each
document's logged events with :func:`..facts.rules.fold` and
:func:`..facts.rules.contribution`; aggregates are then recomputed in SQL from the
facts; every other stream — the party mirror, traffic, message volume, warehouses,
logistics, payments' figures — is replayed in log order through the same apply
functions the consumer calls (:data:`REPLAYED`). The result equals what the
consumer built incrementally (``tests/stats/test_rebuild.py``).

The rebuild runs in one transaction: readers keep seeing the old figures until it
commits (PostgreSQL), and the consumer waits for it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

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
from services.stats.goods_funds.handlers import apply_funds_month
from services.stats.goods_funds.models import FundsMonth as FundsMonthRow
from services.stats.history.repository import EventLogRepository
from services.stats.history.store import stream_events
from services.stats.institutions.handlers import apply_volume_year
from services.stats.institutions.models import InstitutionVolumeYear as InstitutionVolumeYearRow
from services.stats.logistics import service as logistics
from services.stats.logistics.models import ClaimFigures, Journey, LogisticsCost
from services.stats.parties.models import FirstActivity, PartyMirror
from services.stats.parties.service import apply_registered, apply_status
from services.stats.platform.models import AcceptedDocument, AcceptedDocumentsDay, ApiTrafficHour
from services.stats.platform.service import apply_traffic, count_accepted
from services.stats.settlement.handlers import apply_rmb_settlement_year
from services.stats.settlement.models import RmbSettlementYear as RmbSettlementYearRow
from services.stats.warehouses import service as warehouses
from services.stats.warehouses.models import WarehouseMonth, WarehouseProfile
from shared.events.declaration import DocumentAccepted
from shared.events.envelope import EventData
from shared.events.gateway import ApiTrafficCounted, PartyRegistered, PartyStatusChanged
from shared.events.logistics import JourneyFigures, LogisticsCostRecorded
from shared.events.payments import FundsMonth, InstitutionVolumeYear, RmbSettlementYear
from shared.events.warehousing import ClaimChanged, ClaimChangedV1, WarehouseMonthReported, WarehouseProfiled
from shared.fx import RateTable
from shared.sqltypes import utcnow

_BATCH = 2000

Apply = Callable[[AsyncSession, Any], Awaitable[object]]


@dataclass(frozen=True)
class Replayed:
    """A logged stream rebuilt by replaying its events, in log order, through the consumer's appliers.

    ``tables`` are the derived tables only these events fill (emptied first); ``appliers``
    give, per payload model, the function the live handler calls after logging the event.
    """

    stream: str
    tables: tuple[Any, ...]
    appliers: Mapping[type[EventData], Apply]

    def applier(self, event_type: str) -> tuple[type[EventData], Apply] | None:
        """The payload model and applier of a logged event's versioned type, if any."""
        for model, apply in self.appliers.items():
            if event_type == model.type_name():
                return model, apply
        return None


#: Every stream but ``document`` (re-folded per document above), with what it fills. Regulators'
#: own records (certification assessments, reward runs) are not derived and are never cleared.
REPLAYED: tuple[Replayed, ...] = (
    Replayed(
        "party",
        (PartyMirror,),
        {PartyRegistered: apply_registered, PartyStatusChanged: apply_status},
    ),
    Replayed("traffic", (ApiTrafficHour,), {ApiTrafficCounted: apply_traffic}),
    Replayed("accepted", (AcceptedDocument, AcceptedDocumentsDay), {DocumentAccepted: count_accepted}),
    Replayed(
        "warehouse",
        (WarehouseProfile, WarehouseMonth),
        {WarehouseProfiled: warehouses.apply_profile, WarehouseMonthReported: warehouses.apply_month},
    ),
    Replayed(
        "logistics",
        (Journey, LogisticsCost, ClaimFigures),
        {
            JourneyFigures: logistics.apply_figures,
            LogisticsCostRecorded: logistics.apply_cost,
            ClaimChanged: logistics.apply_claim,
            ClaimChangedV1: logistics.apply_claim_v1,
        },
    ),
    Replayed(
        "payments",
        (RmbSettlementYearRow, InstitutionVolumeYearRow, FundsMonthRow),
        {
            RmbSettlementYear: apply_rmb_settlement_year,
            InstitutionVolumeYear: apply_volume_year,
            FundsMonth: apply_funds_month,
        },
    ),
)


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
            *(table_of(model) for replayed in REPLAYED for model in replayed.tables),
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

    for replayed in REPLAYED:
        # Read the stream before applying it, as above: no cursor open across the writes.
        replay = [(e.event_type, e.data) async for e in stream_events(session, replayed.stream)]
        for event_type, data in replay:
            events += 1
            found = replayed.applier(event_type)
            if found is not None:
                model, apply = found
                await apply(session, model.model_validate(data))
    return RebuildReport(documents=documents, counted=counted, events=events)
