"""What the logistics service consumes: the gateway's registry and the declaration's documents.

Handlers need the service's publisher and context, which exist only once the service has
started; :func:`handlers_for` binds them through a holder the start-up hook fills, so each
app (tests start many in one process) has its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.logistics.context import LogisticsContext
from services.logistics.parties.handlers import on_party_registered, on_party_status_changed
from services.logistics.returns import handlers as returns
from services.logistics.shipments import handlers as shipments
from shared.events import CloudEvent
from shared.events.declaration import DocumentAccepted, DocumentStatusChanged, InventoryReturned
from shared.events.gateway import PartyRegistered, PartyStatusChanged
from shared.messaging.consumer import EventHandlers
from shared.messaging.outbox import EventPublisher
from shared.messaging.topics import events_topic

CONSUMER = "logistics"
TOPICS = [events_topic("gateway"), events_topic("declaration")]


class Bound:
    """The started service's publisher and context, for handlers."""

    def __init__(self) -> None:
        self.publisher = EventPublisher("logistics")
        self.ctx: LogisticsContext | None = None

    def context(self) -> LogisticsContext:
        """The context (the consumer starts after the start-up hooks, so it is set)."""
        assert self.ctx is not None, "the logistics context is built at start-up"
        return self.ctx


def _bind(
    bound: Bound, handler: Callable[..., Awaitable[None]]
) -> Callable[[AsyncSession, CloudEvent, Any], Awaitable[None]]:
    async def run(session: AsyncSession, event: CloudEvent, data: Any) -> None:
        await handler(session, bound.publisher, bound.context(), event, data)

    run.__name__ = handler.__name__
    return run


def handlers_for(bound: Bound) -> EventHandlers:
    """The consumer's handlers, bound to ``bound``."""
    handlers = EventHandlers()
    handlers.on(PartyRegistered)(on_party_registered)
    handlers.on(PartyStatusChanged)(on_party_status_changed)
    handlers.on(DocumentAccepted)(_bind(bound, shipments.on_accepted))
    handlers.on(DocumentStatusChanged)(_bind(bound, shipments.on_status_changed))
    handlers.on(InventoryReturned)(_bind(bound, returns.on_inventory_returned))
    return handlers
