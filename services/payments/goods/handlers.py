"""Declaration events → payments' copy of the documents (inside the consumer's inbox transaction).

Each change that makes an export or import *declared* (released or closed) or stops it
being declared (cancelled) is handed to :func:`services.payments.goods.effects.on_change`,
which keeps the ledger's "declared" figures and the expected receipts in step.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.goods import service
from services.payments.goods.effects import on_change, on_return
from services.payments.goods.repository import GoodsRepository
from shared.events import CloudEvent
from shared.events.declaration import (
    DocumentAccepted,
    DocumentGoods,
    DocumentStatusChanged,
    InventoryReturned,
)
from shared.events.logistics import TrackingStatusChanged


async def on_document_accepted(session: AsyncSession, event: CloudEvent, data: DocumentAccepted) -> None:
    """A document the platform accepted (its starting status)."""
    change = await service.apply(
        session, data.document, status=data.status, at=data.accepted_at, accepted=True, event_id=event.id
    )
    await on_change(session, change)


async def on_status_changed(session: AsyncSession, event: CloudEvent, data: DocumentStatusChanged) -> None:
    """A lifecycle change: a match, a customs receipt (release, clearance), a cancellation."""
    change = await service.apply(
        session,
        data.document,
        status=data.status,
        at=data.occurred_at,
        event_id=event.id,
        customs_status=data.customs_status,
        reason=data.reason,
    )
    await on_change(session, change)


async def on_goods(session: AsyncSession, _event: CloudEvent, data: DocumentGoods) -> None:
    """The goods lines of a filed (or amended) order or inventory."""
    await service.apply_goods(session, data.document, list(data.lines), data.revision, data.filed_at)


async def on_inventory_returned(session: AsyncSession, _event: CloudEvent, data: InventoryReturned) -> None:
    """A customs-accepted return (once per return id, however often delivered)."""
    repo = GoodsRepository(session)
    if await repo.document(data.document.document_id) is None:
        await service.apply(session, data.document, status=None, at=data.occurred_at)
    new = await repo.add_status(
        {
            "event_id": f"return:{data.return_id}",
            "document_id": data.document.document_id,
            "status": "returned_part",
            "customs_status": None,
            "reason": f"return {data.return_id}"[:300],
            "occurred_at": data.occurred_at,
        }
    )
    if new:
        applied = await service.apply_return(session, data.document.document_id, data.returned_value)
        document = await repo.document(data.document.document_id)
        if document is not None and applied > 0:
            await on_return(session, document, data.return_id, applied)


async def on_tracking(session: AsyncSession, event: CloudEvent, data: TrackingStatusChanged) -> None:
    """A shipment's tracking status changed: evidence that the goods moved."""
    latest = data.latest_event
    location = latest.location
    await GoodsRepository(session).add_tracking(
        {
            "event_id": f"{data.shipment.shipment_id}:{latest.event_id}:{data.status.value}",
            "shipment_id": data.shipment.shipment_id,
            "logistics_no": data.shipment.logistics_no,
            "order_no": data.shipment.order_no,
            "status": data.status.value,
            "sub_status": data.sub_status.value if data.sub_status else None,
            "location": (location.name or location.locode) if location else None,
            "occurred_at": data.occurred_at,
        }
    )
