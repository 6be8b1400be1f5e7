"""Hourly API traffic per party, published as ``ApiTrafficCounted`` through the outbox.

Counts come from the audit log. Each (party, hour) is counted once: the
``traffic_hours`` row and the event commit in the same transaction.
"""

from __future__ import annotations

import datetime as dt

from services.gateway.audit.models import TrafficHour
from services.gateway.traffic.repository import TrafficRepository
from shared.db import Database
from shared.events.gateway import ApiTrafficCounted
from shared.messaging.outbox import EventPublisher
from shared.sqltypes import utcnow

CATCH_UP_HOURS = 24


def hour_floor(moment: dt.datetime) -> dt.datetime:
    """Start of the hour containing ``moment`` (UTC)."""
    return moment.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


async def count_traffic(db: Database, publisher: EventPublisher, now: dt.datetime | None = None) -> int:
    """Publish the finished hours (up to a day back) not yet counted; returns events staged."""
    current = hour_floor(now or utcnow())
    staged = 0
    for back in range(CATCH_UP_HOURS, 0, -1):
        start = current - dt.timedelta(hours=back)
        end = start + dt.timedelta(hours=1)
        async with db.transaction() as session:
            repo = TrafficRepository(session)
            done = await repo.counted_parties(start)
            for party_id, calls, errors in await repo.calls_per_party(start, end):
                if party_id in done:
                    continue
                repo.add(
                    TrafficHour(
                        party_id=party_id, hour_start=start, calls=calls, errors=errors, counted_at=utcnow()
                    )
                )
                await publisher.stage(
                    session,
                    ApiTrafficCounted(party_id=party_id, hour_start=start, calls=calls, errors=errors),
                    subject=party_id,
                )
                staged += 1
    return staged
