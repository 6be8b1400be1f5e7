"""Declaration events → shipments, their inventory links and customs timeline events.

* an accepted customs waybill (CEB505 export, CEB511 import) makes a shipment with its
  first leg (the waybill's carrier and number);
* an inventory (CEB603, CEB621) links the waybill's shipment to its order, inventory,
  customs office and conveyance, and each customs receipt it gets (release, clearance,
  inspection, detention …) becomes an event of source ``customs`` on the shipment's
  timeline — the platform sees customs, so its timeline does;
* a deleted waybill cancels its shipment's timeline with a platform event.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.logistics.context import LogisticsContext
from services.logistics.shipments import service
from shared.events import CloudEvent
from shared.events.declaration import DocumentAccepted, DocumentStatusChanged
from shared.messaging.outbox import EventPublisher
from shared.sqltypes import utcnow


async def on_accepted(
    session: AsyncSession,
    publisher: EventPublisher,
    ctx: LogisticsContext,
    _event: CloudEvent,
    data: DocumentAccepted,
) -> None:
    """A waybill makes a shipment; an inventory links to it."""
    facts = data.document
    if facts.message_type in service.WAYBILL_TYPES:
        await service.from_waybill(session, publisher, ctx, facts, data.accepted_at)
    elif facts.message_type in service.INVENTORY_TYPES:
        await service.link_inventory(session, publisher, ctx, facts, utcnow())


async def on_status_changed(
    session: AsyncSession,
    publisher: EventPublisher,
    ctx: LogisticsContext,
    _event: CloudEvent,
    data: DocumentStatusChanged,
) -> None:
    """An inventory's customs receipt goes on the timeline; its references (invtNo) are linked."""
    facts = data.document
    now = utcnow()
    if facts.message_type in service.INVENTORY_TYPES:
        await service.link_inventory(session, publisher, ctx, facts, now)
        await service.record_customs(session, publisher, ctx, facts, data.status.value, data.occurred_at, now)
    elif facts.message_type in service.WAYBILL_TYPES and data.status.value == "deleted":
        await service.record_waybill_deleted(session, publisher, ctx, facts, data.occurred_at, now)
