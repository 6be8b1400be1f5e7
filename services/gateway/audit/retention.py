"""Retention of the audit log (default 180 days — the Cybersecurity Law asks for ≥ 6 months)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, text

from services.gateway.audit.models import AuditEntry
from shared.db import Database
from shared.sqltypes import utcnow


async def purge_audit(db: Database, retention_days: int, now: dt.datetime | None = None) -> int:
    """Delete rows older than the retention; the only delete the append-only table allows."""
    cutoff = (now or utcnow()) - dt.timedelta(days=retention_days)
    async with db.transaction() as session:
        if db.dialect == "postgresql":
            # The trigger lets a DELETE through only in a transaction marked as the purge.
            await session.execute(text("SET LOCAL ddt.audit_purge = 'on'"))
        result = await session.execute(delete(AuditEntry).where(AuditEntry.occurred_at < cutoff))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
