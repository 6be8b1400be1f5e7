"""Declaration events → returns: customs accepted the owner's return filing."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.logistics.context import LogisticsContext
from services.logistics.returns import service
from shared.events import CloudEvent
from shared.events.declaration import InventoryReturned
from shared.messaging.outbox import EventPublisher
from shared.sqltypes import utcnow


async def on_inventory_returned(
    session: AsyncSession,
    publisher: EventPublisher,
    _ctx: LogisticsContext,
    _event: CloudEvent,
    data: InventoryReturned,
) -> None:
    """The return of this inventory that was waiting for its customs filing is ``filed``."""
    await service.record_customs_return(session, publisher, data.document.invt_no, data.return_id, utcnow())
