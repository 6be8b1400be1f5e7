"""When each enterprise first had a real transaction (有交易实绩) — what "newly active" means.

The first day is the earliest business day on which the party has a counted fact;
district and park are those of its first fact that day (lowest document id), i.e.
where the enterprise was when it started trading. Cancellations and returns that
remove the first facts move the first day later, so it is recomputed, not kept.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.aggregates.repository import AggregateRepository
from services.stats.parties.repository import PartyRepository
from services.stats.periods import month_start


async def refresh_first_activity(session: AsyncSession, party_ids: Iterable[str]) -> None:
    """Recompute the first-activity row of each party."""
    aggregates = AggregateRepository.from_session(session)
    parties = PartyRepository.from_session(session)
    for party_id in party_ids:
        first = await aggregates.first_trade_day(party_id)
        if first is None:
            await parties.forget_first_activity(party_id)
            continue
        where = await parties.first_place(party_id, first)
        await parties.keep_first_activity(
            {
                "party_id": party_id,
                "first_day": first,
                "first_month": month_start(first),
                "district": where.district,
                "park": where.park,
            }
        )
