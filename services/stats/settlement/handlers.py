"""Payments' yearly RMB settlement figures → the stats table (inside the consumer's inbox transaction)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.facts.rules import to_fen
from services.stats.settlement.repository import SettlementRepository
from shared.events import CloudEvent
from shared.events.payments import RmbSettlementYear


async def on_rmb_settlement_year(session: AsyncSession, _event: CloudEvent, data: RmbSettlementYear) -> None:
    """Keep the highest revision of the figure."""
    await SettlementRepository(session).keep_latest(
        {
            "party_id": data.party_id,
            "year": data.year,
            "amount_fen": to_fen(data.amount_cny),
            "settlements": data.settlements,
            "revision": data.revision,
            "as_of": data.as_of,
        }
    )
