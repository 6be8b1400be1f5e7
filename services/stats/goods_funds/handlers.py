"""Payments' monthly funds figures → the stats table (inside the consumer's inbox transaction).

Each event is kept in the stats event log (stream ``payments``) like every consumed event, so a
rebuild replays it through :func:`apply_funds_month`.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.facts.rules import to_fen
from services.stats.goods_funds.repository import GoodsFundsRepository
from services.stats.history.store import log_event
from shared.events import CloudEvent
from shared.events.payments import FundsMonth


async def on_funds_month(session: AsyncSession, event: CloudEvent, data: FundsMonth) -> None:
    """Log the month's figures, then keep their highest revision."""
    subject = f"{data.party_id}:{data.month}"
    if await log_event(session, event, data, stream="payments", subject=subject, occurred_at=data.as_of):
        await apply_funds_month(session, data)


async def apply_funds_month(session: AsyncSession, data: FundsMonth) -> None:
    """Keep the highest revision of the month (live and in a rebuild)."""
    await GoodsFundsRepository(session).keep_latest(
        {
            "party_id": data.party_id,
            "month": data.month,
            "receipts_fen": to_fen(data.receipts_cny),
            "matched_receipts_fen": to_fen(data.matched_receipts_cny),
            "netted_fen": to_fen(data.netted_cny),
            "payments_fen": to_fen(data.payments_cny),
            "matched_payments_fen": to_fen(data.matched_payments_cny),
            "unmatched_transactions": data.unmatched_transactions,
            "held_transactions": data.held_transactions,
            "revision": data.revision,
            "as_of": data.as_of,
        }
    )
