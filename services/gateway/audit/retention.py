"""Retention of the audit log (default 180 days — the Cybersecurity Law asks for ≥ 6 months)."""

from __future__ import annotations

import datetime as dt

from services.gateway.audit.repository import AuditRepository
from shared.db import Database
from shared.sqltypes import utcnow


async def purge_audit(db: Database, retention_days: int, now: dt.datetime | None = None) -> int:
    """Delete rows older than the retention, in a transaction of its own; how many."""
    cutoff = (now or utcnow()) - dt.timedelta(days=retention_days)
    async with db.transaction() as session:
        return await AuditRepository(session).purge_before(cutoff)
