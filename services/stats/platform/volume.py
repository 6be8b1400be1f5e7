"""The platform's message volume: documents accepted per day, kind, mode and direction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.base import UNKNOWN
from services.stats.periods import business_day
from services.stats.platform.repository import PlatformRepository
from shared.events.declaration import DocumentAccepted


async def count_accepted(session: AsyncSession, data: DocumentAccepted) -> None:
    """Count a document once, however many acceptance events name it."""
    doc = data.document
    row = {
        "document_id": doc.document_id,
        "day": business_day(data.accepted_at),
        "party_id": doc.party_id,
        "document_kind": doc.document_kind,
        "mode": doc.mode or UNKNOWN,
        "direction": doc.direction,
    }
    await PlatformRepository.from_session(session).count_accepted(row)
