"""Payments' yearly institution volumes → the stats table (inside the consumer's inbox transaction)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.facts.rules import to_fen
from services.stats.institutions.repository import InstitutionRepository
from shared.events import CloudEvent
from shared.events.payments import InstitutionVolumeYear


async def on_volume_year(session: AsyncSession, _event: CloudEvent, data: InstitutionVolumeYear) -> None:
    """Keep the highest revision of the figure."""
    await InstitutionRepository(session).keep_latest(
        {
            "party_id": data.party_id,
            "year": data.year,
            "kind": data.kind.value,
            "name": data.name,
            "volume_fen": to_fen(data.volume_cny),
            "transactions": data.transactions,
            "headquarters_in_city": data.headquarters_in_city,
            "licensed": data.licensed,
            "revision": data.revision,
            "as_of": data.as_of,
        }
    )
