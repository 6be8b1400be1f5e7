"""Applying declaration events to the daily activity figures."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.models import DailyActivity
from shared.events import CloudEvent
from shared.events.declaration import DocumentAccepted
from shared.messaging.consumer import EventHandlers

handlers = EventHandlers()


def to_fen(value: Decimal) -> int:
    """CNY → integer fen, half-up (figures are kept to the fen)."""
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@handlers.on(DocumentAccepted)
async def count_accepted(session: AsyncSession, event: CloudEvent, data: DocumentAccepted) -> None:
    """One more document (and its CNY value) for the party, day, mode and direction."""
    doc = data.document
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    fen = to_fen(doc.value_cny)
    stmt = insert(DailyActivity).values(
        party_id=doc.party_id, day=data.accepted_at.date(), mode=doc.mode or "-", direction=doc.direction,
        documents=1, value_cny_fen=fen,
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["party_id", "day", "mode", "direction"],
        set_={"documents": DailyActivity.documents + 1, "value_cny_fen": DailyActivity.value_cny_fen + fen},
    )
    await session.execute(stmt)
