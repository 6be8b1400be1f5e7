"""Outbound orders as the API shows them (the address in full only for the owner and the warehouse)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.logistics.outbound import rules
from services.logistics.outbound.models import OutboundOrder
from services.logistics.outbound.repository import OutboundRepository
from services.logistics.outbound.schemas import (
    OrderLineOut,
    OrderOut,
    OrderPage,
    OrderSummaryOut,
    PickLineOut,
)
from services.logistics.outbound.service import open_address
from services.logistics.products.repository import ProductRepository
from shared.vault import Vault


async def describe(session: AsyncSession, vault: Vault, order: OutboundOrder) -> OrderOut:
    """The full view of an order (callers reach it only through ``service.get``)."""
    repo = OutboundRepository(session)
    lines = await repo.lines(order.id)
    picks = await repo.picks(order.id)
    skus = {
        p.id: p.sku
        for p in (await ProductRepository(session).many({line.product_id for line in lines})).values()
    }
    return OrderOut(
        id=order.id,
        reference=order.reference,
        owner_party_id=order.owner_party_id,
        warehouse_id=order.warehouse_id,
        kind=order.kind,  # type: ignore[arg-type]
        status=rules.shown_status(order.status, order.hold_reason),  # type: ignore[arg-type]
        progress=order.status,
        exception=order.exception,  # type: ignore[arg-type]
        hold_reason=order.hold_reason,  # type: ignore[arg-type]
        channel_order_no=order.channel_order_no,
        destination_country=order.destination_country,
        destination_facility=order.destination_facility,
        ship_to=open_address(vault, order),
        ship_to_masked=order.ship_to_masked,
        service_level=order.service_level,
        carrier_code=order.carrier_code,
        tracking_number=order.tracking_number,
        transport_mode=order.transport_mode,
        shipment_id=order.shipment_id,
        packages=order.packages,
        weight_g=order.weight_g,
        replaces_return_id=order.replaces_return_id,
        lines=[
            OrderLineOut(
                line_no=line.line_no,
                product_id=line.product_id,
                sku=skus.get(line.product_id, ""),
                quantity=line.quantity,
                reserved=line.reserved,
                picks=[
                    PickLineOut(lot_id=p.lot_id, quantity=p.quantity)
                    for p in picks
                    if p.line_no == line.line_no
                ],
            )
            for line in lines
        ],
        revision=order.revision,
        created_at=order.created_at,
        reserved_at=order.reserved_at,
        picked_at=order.picked_at,
        packed_at=order.packed_at,
        shipped_at=order.shipped_at,
        cancelled_at=order.cancelled_at,
        updated_at=order.updated_at,
    )


def page_of(items: list[OutboundOrder], cursor: str | None) -> OrderPage:
    """A list page (no addresses in lists)."""
    return OrderPage(
        items=[
            OrderSummaryOut(
                id=o.id,
                reference=o.reference,
                owner_party_id=o.owner_party_id,
                warehouse_id=o.warehouse_id,
                kind=o.kind,  # type: ignore[arg-type]
                status=rules.shown_status(o.status, o.hold_reason),  # type: ignore[arg-type]
                exception=o.exception,
                hold_reason=o.hold_reason,
                tracking_number=o.tracking_number,
                created_at=o.created_at,
                shipped_at=o.shipped_at,
            )
            for o in items
        ],
        next_cursor=cursor,
    )
