"""The party registry mirror (from the gateway's events) and each enterprise's first real
transaction (有交易实绩) — what "newly active" means.

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
from services.stats.periods import business_day, month_start
from shared.events.gateway import PartyRegistered, PartyStatusChanged


async def apply_registered(session: AsyncSession, data: PartyRegistered) -> None:
    """The registry entry as sent (the latest event of a party wins: they arrive in order, one key)."""
    await PartyRepository.from_session(session).keep(
        {
            "party_id": data.party_id,
            "name": data.name,
            "uscc": data.uscc,
            "customs_code": data.customs_code,
            "roles": sorted(data.roles),
            "district": data.district,
            "park": data.park,
            "status": data.status,
            "registered_at": data.registered_at,
            "registered_day": business_day(data.registered_at),
        }
    )


async def apply_status(session: AsyncSession, data: PartyStatusChanged) -> None:
    """Suspension or reactivation; an older change than the one recorded is ignored."""
    parties = PartyRepository.from_session(session)
    party = await parties.status_at(data.party_id)
    if party is None or (party.status_at is not None and party.status_at > data.occurred_at):
        return
    await parties.set_status(data.party_id, data.status, data.occurred_at)


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
