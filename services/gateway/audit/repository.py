"""SQL of the audit log: append in batches, search and export, purge by retention."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, delete, insert, select, text

from services.gateway.audit.models import AuditEntry
from shared.kit.pagination import Keyset, PageRequest
from shared.kit.repository import ModelRepository

#: Newest first; the id is the append order.
NEWEST_FIRST = Keyset([AuditEntry.id], ["int"])

_FILTERED_COLUMNS = ("party_id", "operation", "outcome", "request_id", "object_id")


def _filtered(filters: dict[str, Any]) -> Select[Any]:
    query = select(AuditEntry)
    for name in _FILTERED_COLUMNS:
        value = filters.get(name)
        if value:
            query = query.where(getattr(AuditEntry, name) == value)
    if filters.get("since"):
        query = query.where(AuditEntry.occurred_at >= filters["since"])
    if filters.get("until"):
        query = query.where(AuditEntry.occurred_at < filters["until"])
    return query


class AuditRepository(ModelRepository[AuditEntry]):
    """Reads and appends ``audit_log`` (the table refuses UPDATE; DELETE only in the purge)."""

    model = AuditEntry

    async def append(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert a batch of rows (one executemany)."""
        await self.session.execute(insert(AuditEntry), list(rows))

    async def search(
        self, filters: dict[str, Any], request: PageRequest
    ) -> tuple[list[AuditEntry], str | None]:
        """One page of the rows matching ``filters`` (column → value; ``since``/``until``), newest first."""
        return await self.page(_filtered(filters), NEWEST_FIRST, request, key=lambda r: (r.id,))

    async def export(self, filters: dict[str, Any], limit: int) -> list[AuditEntry]:
        """Up to ``limit`` matching rows, oldest first."""
        return list(
            (await self.session.scalars(_filtered(filters).order_by(AuditEntry.id).limit(limit))).all()
        )

    async def purge_before(self, cutoff: dt.datetime) -> int:
        """Delete rows older than ``cutoff``: the only delete the append-only table allows."""
        if self.dialect == "postgresql":
            # The trigger lets a DELETE through only in a transaction marked as the purge.
            await self.session.execute(text("SET LOCAL ddt.audit_purge = 'on'"))
        result = await self.session.execute(delete(AuditEntry).where(AuditEntry.occurred_at < cutoff))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
