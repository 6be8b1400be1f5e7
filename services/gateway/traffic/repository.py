"""SQL of the hourly traffic counts: calls per party from the audit log, hours already counted."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import case, func, select

from services.gateway.audit.models import AuditEntry, TrafficHour
from shared.kit.repository import ModelRepository


class TrafficRepository(ModelRepository[TrafficHour]):
    """Reads the audit log per hour and keeps ``traffic_hours``."""

    model = TrafficHour

    async def counted_parties(self, hour_start: dt.datetime) -> set[str]:
        """Parties whose calls of this hour were already published."""
        rows = await self.session.scalars(
            select(TrafficHour.party_id).where(TrafficHour.hour_start == hour_start)
        )
        return set(rows.all())

    async def calls_per_party(self, start: dt.datetime, end: dt.datetime) -> list[tuple[str, int, int]]:
        """(party, calls, errors — status ≥ 400) of the audited calls in ``[start, end)``."""
        rows = await self.session.execute(
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
        return [(str(party), int(calls), int(errors or 0)) for party, calls, errors in rows.all()]
