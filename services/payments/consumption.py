"""What the payments service consumes: the gateway's registry (parties), and the declaration
and logistics events its evidence packages, ledger and expected receipts are built from."""

from __future__ import annotations

from services.payments.goods.handlers import (
    on_document_accepted,
    on_goods,
    on_inventory_returned,
    on_status_changed,
    on_tracking,
)
from services.payments.parties.handlers import on_party_registered, on_party_status_changed
from shared.events.declaration import (
    DocumentAccepted,
    DocumentGoods,
    DocumentStatusChanged,
    InventoryReturned,
)
from shared.events.gateway import PartyRegistered, PartyStatusChanged
from shared.events.logistics import TrackingStatusChanged
from shared.messaging.consumer import EventHandlers
from shared.messaging.topics import events_topic

CONSUMER = "payments"
TOPICS = [events_topic("gateway"), events_topic("declaration"), events_topic("logistics")]

handlers = EventHandlers()
handlers.on(PartyRegistered)(on_party_registered)
handlers.on(PartyStatusChanged)(on_party_status_changed)
handlers.on(DocumentAccepted)(on_document_accepted)
handlers.on(DocumentStatusChanged)(on_status_changed)
handlers.on(DocumentGoods)(on_goods)
handlers.on(InventoryReturned)(on_inventory_returned)
handlers.on(TrackingStatusChanged)(on_tracking)
