"""Every SQL statement over the consumed-event log, and the clearing of what is derived from it."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterable
from typing import Any

from sqlalchemy import Table, delete, select

from services.stats.base import table_of
from services.stats.history.models import LoggedEvent
from shared.kit.repository import Repository


class EventLogRepository(Repository):
    """``stats_event_log``: append, read one document's events, stream a whole stream."""

    async def append(
        self,
        event_id: str,
        event_type: str,
        stream: str,
        subject: str,
        occurred_at: dt.datetime,
        data: Any,
        logged_at: dt.datetime,
    ) -> bool:
        """Keep an event; False if this event id is logged already."""
        row = {
            "event_id": event_id,
            "event_type": event_type,
            "stream": stream,
            "subject": subject,
            "occurred_at": occurred_at,
            "data": data,
            "logged_at": logged_at,
        }
        return 0 < await self.insert_ignore(table_of(LoggedEvent), row)

    async def document_events(self, document_id: str) -> list[tuple[str, str, Any]]:
        """(event id, type, data) of every logged event of one document."""
        rows = await self.session.execute(
            select(LoggedEvent.event_id, LoggedEvent.event_type, LoggedEvent.data).where(
                LoggedEvent.stream == "document", LoggedEvent.subject == document_id
            )
        )
        return [(r.event_id, r.event_type, r.data) for r in rows]

    async def read_stream(
        self, stream: str, *, order_by_subject: bool = False, batch: int = 5000
    ) -> AsyncIterator[LoggedEvent]:
        """Every logged event of ``stream`` in log order (or grouped by subject), in batches."""
        order = (LoggedEvent.subject, LoggedEvent.seq) if order_by_subject else (LoggedEvent.seq,)
        result = await self.session.stream(
            select(LoggedEvent)
            .where(LoggedEvent.stream == stream)
            .order_by(*order)
            .execution_options(yield_per=batch)
        )
        async for row in result.scalars():
            yield row

    async def clear(self, tables: Iterable[Table]) -> None:
        """Empty derived tables (the rebuild's first step, in its transaction)."""
        for table in tables:
            await self.session.execute(delete(table))
