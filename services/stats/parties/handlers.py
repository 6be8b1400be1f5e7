"""Gateway events → the party registry mirror and the API traffic figures (logged first)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.history.store import log_event
from services.stats.parties.service import apply_registered, apply_status
from services.stats.platform.service import apply_traffic
from shared.events import CloudEvent
from shared.events.gateway import ApiTrafficCounted, PartyRegistered, PartyStatusChanged


async def on_registered(session: AsyncSession, event: CloudEvent, data: PartyRegistered) -> None:
    if await log_event(
        session, event, data, stream="party", subject=data.party_id, occurred_at=data.registered_at
    ):
        await apply_registered(session, data)


async def on_status_changed(session: AsyncSession, event: CloudEvent, data: PartyStatusChanged) -> None:
    if await log_event(
        session, event, data, stream="party", subject=data.party_id, occurred_at=data.occurred_at
    ):
        await apply_status(session, data)


async def on_traffic(session: AsyncSession, event: CloudEvent, data: ApiTrafficCounted) -> None:
    if await log_event(
        session, event, data, stream="traffic", subject=data.party_id, occurred_at=data.hour_start
    ):
        await apply_traffic(session, data)
