"""When each enterprise first had a real transaction (有交易实绩) — what "newly active" means.

The first day is the earliest business day on which the party has a counted fact;
district and park are those of its first fact that day (lowest document id), i.e.
where the enterprise was when it started trading. Cancellations and returns that
remove the first facts move the first day later, so it is recomputed, not kept.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.aggregates.models import TABLES
from services.stats.base import table_of
from services.stats.facts.models import Fact
from services.stats.parties.models import FirstActivity
from services.stats.periods import month_start
from shared.kit.sql import upsert


async def refresh_first_activity(session: AsyncSession, party_ids: Iterable[str]) -> None:
    """Recompute the first-activity row of each party."""
    party_day = TABLES["stats_agg_party_day"]
    for party_id in party_ids:
        first = await session.scalar(
            select(func.min(party_day.c.day)).where(party_day.c.party_id == party_id)
        )
        if first is None:
            await session.execute(delete(FirstActivity).where(FirstActivity.party_id == party_id))
            continue
        where = (
            await session.execute(
                select(Fact.district, Fact.park)
                .where(Fact.party_id == party_id, Fact.counted, Fact.business_day == first)
                .order_by(Fact.document_id)
                .limit(1)
            )
        ).one()
        await upsert(
            session,
            table_of(FirstActivity),
            {
                "party_id": party_id,
                "first_day": first,
                "first_month": month_start(first),
                "district": where.district,
                "park": where.park,
            },
            ("party_id",),
        )
