"""Hourly API traffic per party, published as ``ApiTrafficCounted`` through the outbox.

Counts come from the audit log. Each (party, hour) is counted once: the
``traffic_hours`` row and the event commit in the same transaction.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import case, func, select

from services.gateway.audit.models import AuditEntry, TrafficHour
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
            done = set(
                (
                    await session.scalars(select(TrafficHour.party_id).where(TrafficHour.hour_start == start))
                ).all()
            )
            rows = (
                await session.execute(
                    select(
                        AuditEntry.party_id,
                        func.count(),
                        func.sum(case((AuditEntry.status >= 400, 1), else_=0)),
                    )
                    .where(
                        AuditEntry.occurred_at >= start,
                        AuditEntry.occurred_at < end,
                        AuditEntry.party_id.is_not(None),
                    )
                    .group_by(AuditEntry.party_id)
                )
            ).all()
            for party_id, calls, errors in rows:
                if party_id in done:
                    continue
                session.add(
                    TrafficHour(
                        party_id=party_id,
                        hour_start=start,
                        calls=int(calls),
                        errors=int(errors or 0),
                        counted_at=utcnow(),
                    )
                )
                await publisher.stage(
                    session,
                    ApiTrafficCounted(
                        party_id=party_id, hour_start=start, calls=int(calls), errors=int(errors or 0)
                    ),
                    subject=party_id,
                )
                staged += 1
    return staged
