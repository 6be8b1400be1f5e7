"""Every SQL statement of outbound orders."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import select

from services.logistics.base import table_of
from services.logistics.outbound.models import OutboundLine, OutboundOrder, OutboundPick
from shared.kit.pagination import Keyset, PageRequest
from shared.kit.repository import ModelRepository

_ORDERS = table_of(OutboundOrder)
_NEWEST = Keyset([_ORDERS.c.created_at, _ORDERS.c.id], ["datetime", "str"])


class OutboundRepository(ModelRepository[OutboundOrder]):
    """Orders, their lines and picks."""

    model = OutboundOrder

    async def by_reference(self, owner_party_id: str, reference: str) -> OutboundOrder | None:
        """The owner's order with this reference, or None."""
        return await self.session.scalar(
            select(OutboundOrder).where(
                OutboundOrder.owner_party_id == owner_party_id, OutboundOrder.reference == reference
            )
        )

    async def lock(self, order_id: str) -> OutboundOrder | None:
        """The order, locked for this transaction (the steps of one order serialise)."""
        return await self.session.scalar(
            select(OutboundOrder).where(OutboundOrder.id == order_id).with_for_update()
        )

    async def lines(self, order_id: str) -> Sequence[OutboundLine]:
        """The order's lines, in line order."""
        return (
            await self.session.scalars(
                select(OutboundLine).where(OutboundLine.order_id == order_id).order_by(OutboundLine.line_no)
            )
        ).all()

    async def lines_of(self, order_ids: Collection[str]) -> Sequence[OutboundLine]:
        """The lines of several orders."""
        if not order_ids:
            return []
        return (
            await self.session.scalars(select(OutboundLine).where(OutboundLine.order_id.in_(set(order_ids))))
        ).all()

    async def picks(self, order_id: str) -> Sequence[OutboundPick]:
        """The lots picking took for the order."""
        return (
            await self.session.scalars(
                select(OutboundPick)
                .where(OutboundPick.order_id == order_id)
                .order_by(OutboundPick.line_no, OutboundPick.lot_id)
            )
        ).all()

    async def waiting_for(self, warehouse_id: str, product_id: str, limit: int) -> Sequence[OutboundOrder]:
        """Out-of-stock orders of a warehouse that need this product, oldest first."""
        return (
            await self.session.scalars(
                select(OutboundOrder)
                .join(OutboundLine, OutboundLine.order_id == OutboundOrder.id)
                .where(
                    OutboundOrder.warehouse_id == warehouse_id,
                    OutboundOrder.status == "exception",
                    OutboundLine.product_id == product_id,
                )
                .order_by(OutboundOrder.created_at, OutboundOrder.id)
                .limit(limit)
            )
        ).all()

    async def unallocated_reservations(
        self, warehouse_id: str, product_id: str
    ) -> Sequence[tuple[str, int, int]]:
        """(order, line, units) reserved and not picked yet for a position, oldest order first."""
        rows = await self.session.execute(
            select(OutboundOrder.id, OutboundLine.line_no, OutboundLine.reserved)
            .join(OutboundLine, OutboundLine.order_id == OutboundOrder.id)
            .where(
                OutboundOrder.warehouse_id == warehouse_id,
                OutboundOrder.status == "reserved",
                OutboundLine.product_id == product_id,
                OutboundLine.reserved > 0,
            )
            .order_by(OutboundOrder.created_at, OutboundOrder.id)
        )
        return [(r[0], r[1], r[2]) for r in rows]

    async def list_page(
        self,
        page: PageRequest,
        *,
        owner_party_ids: Collection[str] | None,
        warehouse_ids: Collection[str] | None,
        status: str | None,
        kind: str | None,
    ) -> tuple[list[OutboundOrder], str | None]:
        """Orders newest first, limited to owners or warehouses."""
        stmt = select(OutboundOrder)
        if owner_party_ids is not None:
            stmt = stmt.where(OutboundOrder.owner_party_id.in_(set(owner_party_ids)))
        if warehouse_ids is not None:
            stmt = stmt.where(OutboundOrder.warehouse_id.in_(set(warehouse_ids)))
        if status == "on_hold":
            stmt = stmt.where(
                OutboundOrder.hold_reason.is_not(None),
                OutboundOrder.status.in_(["exception", "reserved", "picked", "packed"]),
            )
        elif status:
            stmt = stmt.where(OutboundOrder.status == status)
        if kind:
            stmt = stmt.where(OutboundOrder.kind == kind)
        return await self.page(stmt, _NEWEST, page, key=lambda o: (o.created_at, o.id))
