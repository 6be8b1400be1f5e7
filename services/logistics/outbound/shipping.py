"""Where an outbound parcel meets tracking: its last-mile number becomes a leg of a shipment.

The shipments, legs and tracking of part 1 (issue 10) own this; until their service lands
on main the order keeps its carrier and number (the merchant sees them, webhooks carry
them) and no shipment is created.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.logistics.outbound.models import OutboundOrder
from shared.messaging.outbox import EventPublisher


async def track_last_mile(
    session: AsyncSession, publisher: EventPublisher, order: OutboundOrder
) -> str | None:
    """The shipment tracking the order's parcel (None until shipments exist)."""
    return order.shipment_id
