"""Appending to and reading from the consumed-event log."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.base import table_of
from services.stats.history.models import LoggedEvent
from shared.events.declaration import DocumentStatusChanged, InventoryReturned
from shared.events.envelope import CloudEvent, EventData
from shared.kit.sql import insert_ignore
from shared.sqltypes import utcnow

STREAMS = ("document", "accepted", "party", "traffic", "warehouse")


async def log_event(
    session: AsyncSession,
    event: CloudEvent,
    data: EventData,
    *,
    stream: str,
    subject: str,
    occurred_at: dt.datetime,
) -> bool:
    """Keep ``event`` (its validated payload) in the log; False if this event id is already there."""
    return 0 < await insert_ignore(
        session,
        table_of(LoggedEvent),
        {
            "event_id": event.id,
            "event_type": event.type,
            "stream": stream,
            "subject": subject,
            "occurred_at": occurred_at,
            "data": data.model_dump(mode="json"),
            "logged_at": utcnow(),
        },
    )


def parse_document_event(event_type: str, data: Any) -> DocumentStatusChanged | InventoryReturned:
    """A logged document event back into its payload model."""
    if event_type.startswith(InventoryReturned.event_type + "."):
        return InventoryReturned.model_validate(data)
    return DocumentStatusChanged.model_validate(data)


async def document_events(session: AsyncSession, document_id: str) -> list[tuple[str, str, Any]]:
    """(event id, type, data) of every logged event of one document."""
    rows = await session.execute(
        select(LoggedEvent.event_id, LoggedEvent.event_type, LoggedEvent.data).where(
            LoggedEvent.stream == "document", LoggedEvent.subject == document_id
        )
    )
    return [(r.event_id, r.event_type, r.data) for r in rows]


async def stream_events(
    session: AsyncSession, stream: str, *, order_by_subject: bool = False, batch: int = 5000
) -> AsyncIterator[LoggedEvent]:
    """Every logged event of ``stream`` in log order (or grouped by subject), in batches."""
    order = (LoggedEvent.subject, LoggedEvent.seq) if order_by_subject else (LoggedEvent.seq,)
    result = await session.stream(
        select(LoggedEvent)
        .where(LoggedEvent.stream == stream)
        .order_by(*order)
        .execution_options(yield_per=batch)
    )
    async for row in result.scalars():
        yield row
