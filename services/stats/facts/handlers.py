"""Declaration events → the event log → facts and aggregates (inside the consumer's inbox transaction)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.facts.rules import event_time
from services.stats.facts.service import refresh_document
from services.stats.history.store import log_event
from services.stats.platform.service import count_accepted
from shared.events import CloudEvent
from shared.events.declaration import DocumentAccepted, DocumentStatusChanged, InventoryReturned


async def on_status_changed(session: AsyncSession, event: CloudEvent, data: DocumentStatusChanged) -> None:
    """A lifecycle change of an inventory may make it count, or stop counting."""
    if data.document.document_kind != "inventory":
        return  # orders, payments, waybills never become facts (they would count the trade twice)
    document_id = data.document.document_id
    if await log_event(
        session, event, data, stream="document", subject=document_id, occurred_at=event_time(data)
    ):
        await refresh_document(session, document_id)


async def on_inventory_returned(session: AsyncSession, event: CloudEvent, data: InventoryReturned) -> None:
    """A return reduces the inventory's value in the inventory's own period."""
    document_id = data.document.document_id
    if await log_event(
        session, event, data, stream="document", subject=document_id, occurred_at=event_time(data)
    ):
        await refresh_document(session, document_id)


async def on_accepted(session: AsyncSession, event: CloudEvent, data: DocumentAccepted) -> None:
    """Every accepted document is part of the platform's own message volume."""
    if await log_event(
        session,
        event,
        data,
        stream="accepted",
        subject=data.document.document_id,
        occurred_at=data.accepted_at,
    ):
        await count_accepted(session, data)
