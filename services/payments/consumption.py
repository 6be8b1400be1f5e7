"""What the payments service consumes: the gateway's registry (parties), and later the
declaration and logistics events its evidence packages are assembled from."""

from __future__ import annotations

from services.payments.parties.handlers import on_party_registered, on_party_status_changed
from shared.events.gateway import PartyRegistered, PartyStatusChanged
from shared.messaging.consumer import EventHandlers
from shared.messaging.topics import events_topic

CONSUMER = "payments"
TOPICS = [events_topic("gateway")]

handlers = EventHandlers()
handlers.on(PartyRegistered)(on_party_registered)
handlers.on(PartyStatusChanged)(on_party_status_changed)
