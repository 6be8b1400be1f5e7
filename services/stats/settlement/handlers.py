"""Payments' yearly RMB settlement figures → the stats table (inside the consumer's inbox transaction).

Each event is kept in the stats event log (stream ``payments``) like every consumed event, so a
rebuild replays it through :func:`apply_rmb_settlement_year`.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.facts.rules import to_fen
from services.stats.history.store import log_event
from services.stats.settlement.repository import SettlementRepository
from shared.events import CloudEvent
from shared.events.payments import RmbSettlementYear


async def on_rmb_settlement_year(session: AsyncSession, event: CloudEvent, data: RmbSettlementYear) -> None:
    """Log the figure, then keep its highest revision."""
    subject = f"{data.party_id}:{data.year}"
    if await log_event(session, event, data, stream="payments", subject=subject, occurred_at=data.as_of):
        await apply_rmb_settlement_year(session, data)


async def apply_rmb_settlement_year(session: AsyncSession, data: RmbSettlementYear) -> None:
    """Keep the highest revision of the figure (live and in a rebuild)."""
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
