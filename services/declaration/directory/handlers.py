"""The code → party directory, kept from the gateway's registry events.

Why the declaration service keeps its own copy: the identity token names the caller's
own codes and the parties it may act for (``on_behalf_of``), but not the codes of
those parties. A platform filing an order for its merchant puts the merchant's
``ebcCode`` in the order; only the registry knows which party that code belongs to.
Services never read each other's tables, so the registry reaches us as events
(``PartyRegistered`` carries the USCC and the customs code; ``PartyStatusChanged``
suspends or reactivates).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.declaration.directory.repository import DirectoryRepository
from shared.events import CloudEvent
from shared.events.gateway import PartyRegistered, PartyStatusChanged
from shared.messaging.consumer import EventHandlers
from shared.sqltypes import utcnow

handlers = EventHandlers()


@handlers.on(PartyRegistered)
async def remember_party(session: AsyncSession, _event: CloudEvent, data: PartyRegistered) -> None:
    """Record the party's USCC and customs code (a re-registration overwrites them)."""
    codes = sorted({code for code in (data.uscc, data.customs_code) if code})
    await DirectoryRepository.from_session(session).remember(data.party_id, codes, data.status, utcnow())


@handlers.on(PartyStatusChanged)
async def follow_status(session: AsyncSession, _event: CloudEvent, data: PartyStatusChanged) -> None:
    """A suspended party's codes can no longer be filed for by others."""
    await DirectoryRepository.from_session(session).set_status(data.party_id, data.status, utcnow())
