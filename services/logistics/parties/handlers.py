"""Gateway registry events → the party mirror (inside the consumer's inbox transaction)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.logistics.parties.repository import PartyRepository
from shared.events import CloudEvent
from shared.events.gateway import PartyRegistered, PartyStatusChanged
from shared.sqltypes import utcnow


async def on_party_registered(session: AsyncSession, _event: CloudEvent, data: PartyRegistered) -> None:
    """Remember the party (a re-registration overwrites its entry)."""
    await PartyRepository(session).save(
        {
            "party_id": data.party_id,
            "name": data.name[:200],
            "uscc": data.uscc.upper(),
            "customs_code": data.customs_code.upper() if data.customs_code else None,
            "roles": sorted(data.roles),
            "status": data.status,
            "updated_at": utcnow(),
        }
    )


async def on_party_status_changed(
    session: AsyncSession, _event: CloudEvent, data: PartyStatusChanged
) -> None:
    """A suspended carrier is no longer a known carrier."""
    await PartyRepository(session).set_status(data.party_id, data.status, utcnow())
