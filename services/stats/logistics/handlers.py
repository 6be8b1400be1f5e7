"""Logistics shipment figures, costs and claims → the statistics' logistics tables (in the
inbox transaction).

Each event is kept in the stats event log (stream ``logistics``) like every consumed event;
the journeys keep each shipment's highest revision, the claims each claim's, and the costs
each record once, so a late or repeated event changes nothing.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.history.store import log_event
from services.stats.logistics import service
from shared.events import CloudEvent
from shared.events.logistics import JourneyFigures, LogisticsCostRecorded
from shared.events.warehousing import ClaimChanged, ClaimChangedV1


async def on_figures(session: AsyncSession, event: CloudEvent, data: JourneyFigures) -> None:
    """A shipment's transit figures changed: keep the highest revision."""
    if await log_event(
        session, event, data, stream="logistics", subject=data.shipment_id, occurred_at=data.occurred_at
    ):
        await service.apply_figures(session, data)


async def on_cost(session: AsyncSession, event: CloudEvent, data: LogisticsCostRecorded) -> None:
    """A logistics cost was recorded or corrected: keep the record."""
    if await log_event(
        session, event, data, stream="logistics", subject=data.shipment_id, occurred_at=data.occurred_at
    ):
        await service.apply_cost(session, data)


async def on_claim(session: AsyncSession, event: CloudEvent, data: ClaimChanged) -> None:
    """A claim moved: keep its highest revision."""
    if await log_event(
        session, event, data, stream="logistics", subject=data.claim_id, occurred_at=data.occurred_at
    ):
        await service.apply_claim(session, data)


async def on_claim_v1(session: AsyncSession, event: CloudEvent, data: ClaimChangedV1) -> None:
    """A claim moved (a version-1 event, without the claim's dates)."""
    if await log_event(
        session, event, data, stream="logistics", subject=data.claim_id, occurred_at=data.occurred_at
    ):
        await service.apply_claim_v1(session, data)
