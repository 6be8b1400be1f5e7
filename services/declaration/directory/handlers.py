"""The code → party directory: kept from the gateway's registry events, read by ownership checks.

Why the declaration service keeps its own copy: the identity token names the caller's
own codes and the parties it may act for (``on_behalf_of``), but not the codes of
those parties. A platform filing an order for its merchant puts the merchant's
``ebcCode`` in the order; only the registry knows which party that code belongs to.
Services never read each other's tables, so the registry reaches us as events
(``PartyRegistered`` carries the USCC and the customs code; ``PartyStatusChanged``
suspends or reactivates).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.declaration.directory.models import PartyCodeEntry
from shared.events import CloudEvent
from shared.events.gateway import PartyRegistered, PartyStatusChanged
from shared.kit.sql import upsert
from shared.messaging.consumer import EventHandlers
from shared.models import table_of
from shared.sqltypes import utcnow

handlers = EventHandlers()


@handlers.on(PartyRegistered)
async def remember_party(session: AsyncSession, _event: CloudEvent, data: PartyRegistered) -> None:
    """Record the party's USCC and customs code (a re-registration overwrites them)."""
    codes = {code for code in (data.uscc, data.customs_code) if code}
    now = utcnow()
    rows = [
        {"code": code, "party_id": data.party_id, "status": data.status, "updated_at": now}
        for code in sorted(codes)
    ]
    await upsert(session, table_of(PartyCodeEntry), rows, ("code",))


@handlers.on(PartyStatusChanged)
async def follow_status(session: AsyncSession, _event: CloudEvent, data: PartyStatusChanged) -> None:
    """A suspended party's codes can no longer be filed for by others."""
    await session.execute(
        update(PartyCodeEntry)
        .where(PartyCodeEntry.party_id == data.party_id)
        .values(status=data.status, updated_at=utcnow())
    )


async def parties_of(session: AsyncSession, codes: Iterable[str]) -> dict[str, str]:
    """``{code: party_id}`` for the active codes among ``codes`` (one query)."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    rows = await session.execute(
        select(PartyCodeEntry.code, PartyCodeEntry.party_id).where(
            PartyCodeEntry.code.in_(wanted), PartyCodeEntry.status == "active"
        )
    )
    return {code: party for code, party in rows.all()}
