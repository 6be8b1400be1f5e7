"""Payments' yearly institution volumes → the stats table (inside the consumer's inbox transaction).

Each event is kept in the stats event log (stream ``payments``) like every consumed event, so a
rebuild replays it through :func:`apply_volume_year`.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.facts.rules import to_fen
from services.stats.history.store import log_event
from services.stats.institutions.repository import InstitutionRepository
from shared.events import CloudEvent
from shared.events.payments import InstitutionVolumeYear


async def on_volume_year(session: AsyncSession, event: CloudEvent, data: InstitutionVolumeYear) -> None:
    """Log the figure, then keep its highest revision."""
    subject = f"{data.party_id}:{data.year}"
    if await log_event(session, event, data, stream="payments", subject=subject, occurred_at=data.as_of):
        await apply_volume_year(session, data)


async def apply_volume_year(session: AsyncSession, data: InstitutionVolumeYear) -> None:
    """Keep the highest revision of the figure (live and in a rebuild)."""
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
