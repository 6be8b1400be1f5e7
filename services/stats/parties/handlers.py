"""Gateway events → the party registry mirror and the API traffic figures."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.base import table_of
from services.stats.history.store import log_event
from services.stats.parties.models import PartyMirror
from services.stats.periods import business_day
from services.stats.platform.models import ApiTrafficHour
from shared.events import CloudEvent
from shared.events.gateway import ApiTrafficCounted, PartyRegistered, PartyStatusChanged
from shared.kit.sql import greatest, upsert


async def apply_registered(session: AsyncSession, data: PartyRegistered) -> None:
    """The registry entry as sent (the latest event of a party wins: they arrive in order, one key)."""
    await upsert(
        session,
        table_of(PartyMirror),
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
        },
        ("party_id",),
    )


async def apply_status(session: AsyncSession, data: PartyStatusChanged) -> None:
    """Suspension or reactivation; an older change than the one recorded is ignored."""
    party = (
        await session.execute(select(PartyMirror.status_at).where(PartyMirror.party_id == data.party_id))
    ).first()
    if party is None or (party.status_at is not None and party.status_at > data.occurred_at):
        return
    await session.execute(
        update(PartyMirror)
        .where(PartyMirror.party_id == data.party_id)
        .values(status=data.status, status_at=data.occurred_at)
    )


async def apply_traffic(session: AsyncSession, data: ApiTrafficCounted) -> None:
    """One party-hour of calls; a re-count of the same hour keeps the larger figures (counts only grow)."""
    table = table_of(ApiTrafficHour)
    row = {
        "party_id": data.party_id,
        "hour_start": data.hour_start,
        "day": business_day(data.hour_start),
        "calls": data.calls,
        "errors": data.errors,
    }
    await upsert(
        session,
        table,
        row,
        ("party_id", "hour_start"),
        replace=(),
        set_=lambda new: {
            "calls": greatest(session, table.c.calls, new.calls),
            "errors": greatest(session, table.c.errors, new.errors),
        },
    )


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
