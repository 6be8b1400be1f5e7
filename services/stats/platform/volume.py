"""The platform's message volume: documents accepted per day, kind, mode and direction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.base import UNKNOWN, table_of
from services.stats.periods import business_day
from services.stats.platform.models import AcceptedDocument, AcceptedDocumentsDay
from shared.events.declaration import DocumentAccepted
from shared.kit.sql import insert_ignore, upsert


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
    if await insert_ignore(session, table_of(AcceptedDocument), row):
        await upsert(
            session,
            table_of(AcceptedDocumentsDay),
            [{k: row[k] for k in ("day", "document_kind", "mode", "direction")} | {"documents": 1}],
            ("day", "document_kind", "mode", "direction"),
            replace=(),
            add=("documents",),
        )
