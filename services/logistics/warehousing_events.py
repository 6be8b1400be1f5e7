"""The warehousing consumer of the logistics service: which events it reads and what each does.

Its own consumer group (``logistics-warehousing``) reads the declaration topic: inventories
(9810 exports an ASN names, exports and imports a return is counted from) and the returns
customs accepted. Each handler runs inside the inbox transaction (exactly-once effect).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.logistics.customs_inventories import service as customs
from services.logistics.inbound import service as inbound
from shared.events import CloudEvent
from shared.events.declaration import DocumentStatusChanged, InventoryReturned
from shared.messaging.consumer import EventHandlers
from shared.messaging.topics import events_topic

CONSUMER = "logistics-warehousing"
TOPICS = [events_topic("declaration")]

handlers = EventHandlers()


@handlers.on(DocumentStatusChanged)
async def on_status_changed(session: AsyncSession, event: CloudEvent, data: DocumentStatusChanged) -> None:
    """An inventory moved: keep the mirror, and verify the ASNs waiting for it."""
    if data.document.document_kind != "inventory":
        return
    inventory = await customs.apply_status(session, data.document, data.status, data.occurred_at)
    await inbound.verify_links(session, inventory)


@handlers.on(InventoryReturned)
async def on_inventory_returned(session: AsyncSession, event: CloudEvent, data: InventoryReturned) -> None:
    """Customs accepted a return of (part of) an inventory."""
    await customs.apply_return(session, data)
