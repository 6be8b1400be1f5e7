"""Gateway events → the party registry mirror and the API traffic figures."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.history.store import log_event
from services.stats.parties.repository import PartyRepository
from services.stats.periods import business_day
from services.stats.platform.repository import PlatformRepository
from shared.events import CloudEvent
from shared.events.gateway import ApiTrafficCounted, PartyRegistered, PartyStatusChanged


async def apply_registered(session: AsyncSession, data: PartyRegistered) -> None:
    """The registry entry as sent (the latest event of a party wins: they arrive in order, one key)."""
    await PartyRepository.from_session(session).keep(
        {
            "party_id": data.party_id,
            "name": data.name,
            "uscc": data.uscc,
            "customs_code": data.customs_code,
            "roles": sorted(data.roles),
            "district": data.district,
            "park": data.park,
            "status": data.status,
            "registered_at": data.registered_at,
            "registered_day": business_day(data.registered_at),
        }
    )


async def apply_status(session: AsyncSession, data: PartyStatusChanged) -> None:
    """Suspension or reactivation; an older change than the one recorded is ignored."""
    parties = PartyRepository.from_session(session)
    party = await parties.status_at(data.party_id)
    if party is None or (party.status_at is not None and party.status_at > data.occurred_at):
        return
    await parties.set_status(data.party_id, data.status, data.occurred_at)


async def apply_traffic(session: AsyncSession, data: ApiTrafficCounted) -> None:
    """One party-hour of calls; a re-count of the same hour keeps the larger figures (counts only grow)."""
    row = {
        "party_id": data.party_id,
        "hour_start": data.hour_start,
        "day": business_day(data.hour_start),
        "calls": data.calls,
        "errors": data.errors,
    }
    await PlatformRepository.from_session(session).keep_traffic(row)


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
