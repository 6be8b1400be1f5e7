"""Appending to and reading from the consumed-event log."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.history.models import LoggedEvent
from services.stats.history.repository import EventLogRepository
from shared.events.declaration import DocumentStatusChanged, InventoryReturned
from shared.events.envelope import CloudEvent, EventData
from shared.sqltypes import utcnow

STREAMS = ("document", "accepted", "party", "traffic", "warehouse", "logistics", "payments")


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
    return await EventLogRepository.from_session(session).append(
        event.id, event.type, stream, subject, occurred_at, data.model_dump(mode="json"), utcnow()
    )


def parse_document_event(event_type: str, data: Any) -> DocumentStatusChanged | InventoryReturned:
    """A logged document event back into its payload model."""
    if event_type.startswith(InventoryReturned.event_type + "."):
        return InventoryReturned.model_validate(data)
    return DocumentStatusChanged.model_validate(data)


async def document_events(session: AsyncSession, document_id: str) -> list[tuple[str, str, Any]]:
    """(event id, type, data) of every logged event of one document."""
    return await EventLogRepository.from_session(session).document_events(document_id)


async def stream_events(
    session: AsyncSession, stream: str, *, order_by_subject: bool = False, batch: int = 5000
) -> AsyncIterator[LoggedEvent]:
    """Every logged event of ``stream`` in log order (or grouped by subject), in batches."""
    events = EventLogRepository.from_session(session)
    async for row in events.read_stream(stream, order_by_subject=order_by_subject, batch=batch):
        yield row
