"""The reads of a monthly report: what was received, shipped, returned and held in a month.

Reporting reads across the warehousing modules' tables of this service (inbound, outbound,
stock); it writes only the filed reports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select

from services.logistics.base import table_of
from services.logistics.inbound.models import InboundLine, InboundOrder, InboundReceipt
from services.logistics.outbound.models import OutboundLine, OutboundOrder
from services.logistics.products.models import Product
from services.logistics.reports.models import WarehouseReport
from services.logistics.stock.models import StockLot, StockMovement
from shared.kit.pagination import Keyset, PageRequest
from shared.kit.repository import ModelRepository

_MONTHS = Keyset([table_of(WarehouseReport).c.month], ["str"])


class ReportRepository(ModelRepository[WarehouseReport]):
    """Filed reports, and the month's figures from the warehousing tables."""

    model = WarehouseReport

    async def receipts(self, warehouse_id: str, first: dt.date, after: dt.date) -> Sequence[Any]:
        """Counted lines of the month: (asn, owner, box, received, damaged)."""
        return (
            await self.session.execute(
                select(
                    InboundReceipt.asn_id,
                    InboundOrder.owner_party_id,
                    InboundReceipt.box_no,
                    InboundReceipt.received,
                    InboundReceipt.damaged,
                )
                .join(InboundOrder, InboundOrder.id == InboundReceipt.asn_id)
                .where(
                    InboundOrder.warehouse_id == warehouse_id,
                    InboundReceipt.received_on >= first,
                    InboundReceipt.received_on < after,
                    InboundReceipt.product_id != "",
                )
            )
        ).all()

    async def closed_asns(self, warehouse_id: str, start: dt.datetime, end: dt.datetime) -> list[str]:
        """ASNs whose counting closed in the month."""
        return list(
            (
                await self.session.scalars(
                    select(InboundOrder.id).where(
                        InboundOrder.warehouse_id == warehouse_id,
                        InboundOrder.received_at >= start,
                        InboundOrder.received_at < end,
                    )
                )
            ).all()
        )

    async def expected_and_counted(
        self, asn_ids: Sequence[str]
    ) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]]:
        """Units announced and counted per (ASN, product)."""
        if not asn_ids:
            return {}, {}
        expected = await self.session.execute(
            select(InboundLine.asn_id, InboundLine.product_id, func.sum(InboundLine.expected))
            .where(InboundLine.asn_id.in_(asn_ids))
            .group_by(InboundLine.asn_id, InboundLine.product_id)
        )
        counted = await self.session.execute(
            select(
                InboundReceipt.asn_id,
                InboundReceipt.product_id,
                func.sum(InboundReceipt.received + InboundReceipt.damaged),
            )
            .where(InboundReceipt.asn_id.in_(asn_ids), InboundReceipt.product_id != "")
            .group_by(InboundReceipt.asn_id, InboundReceipt.product_id)
        )
        return ({(r[0], r[1]): int(r[2]) for r in expected}, {(r[0], r[1]): int(r[2]) for r in counted})

    async def shipped(self, warehouse_id: str, start: dt.datetime, end: dt.datetime) -> Sequence[Any]:
        """Orders shipped in the month: (order, owner, kind, created, shipped, units)."""
        units = (
            select(OutboundLine.order_id, func.sum(OutboundLine.quantity).label("units"))
            .group_by(OutboundLine.order_id)
            .subquery()
        )
        return (
            await self.session.execute(
                select(
                    OutboundOrder.id,
                    OutboundOrder.owner_party_id,
                    OutboundOrder.kind,
                    OutboundOrder.created_at,
                    OutboundOrder.shipped_at,
                    units.c.units,
                )
                .join(units, units.c.order_id == OutboundOrder.id)
                .where(
                    OutboundOrder.warehouse_id == warehouse_id,
                    OutboundOrder.shipped_at >= start,
                    OutboundOrder.shipped_at < end,
                )
            )
        ).all()

    async def cancelled(self, warehouse_id: str, start: dt.datetime, end: dt.datetime) -> int:
        """Orders cancelled in the month."""
        return int(
            await self.session.scalar(
                select(func.count()).where(
                    OutboundOrder.warehouse_id == warehouse_id,
                    OutboundOrder.cancelled_at >= start,
                    OutboundOrder.cancelled_at < end,
                )
            )
            or 0
        )

    async def lots_at(self, warehouse_id: str, end: dt.datetime) -> Sequence[Any]:
        """Each lot's units on hand at ``end`` (from the ledger), with its owner, receipt day and
        its SKU's size: (lot, owner, product, received_on, on_hand, length, width, height)."""
        on_hand = (
            select(StockMovement.lot_id, func.sum(StockMovement.d_on_hand).label("units"))
            .where(
                StockMovement.warehouse_id == warehouse_id,
                StockMovement.occurred_at < end,
                StockMovement.lot_id.is_not(None),
            )
            .group_by(StockMovement.lot_id)
            .subquery()
        )
        return (
            await self.session.execute(
                select(
                    StockLot.id,
                    StockLot.owner_party_id,
                    StockLot.product_id,
                    StockLot.received_on,
                    on_hand.c.units,
                    Product.length_mm,
                    Product.width_mm,
                    Product.height_mm,
                )
                .join(on_hand, on_hand.c.lot_id == StockLot.id)
                .join(Product, Product.id == StockLot.product_id)
                .where(on_hand.c.units > 0)
            )
        ).all()

    async def returned(self, warehouse_id: str, start: dt.datetime, end: dt.datetime) -> Sequence[Any]:
        """Returned units restocked in the month: (return, owner, units)."""
        return (
            await self.session.execute(
                select(
                    StockMovement.reference_id, StockMovement.owner_party_id, func.sum(StockMovement.quantity)
                )
                .where(
                    StockMovement.warehouse_id == warehouse_id,
                    StockMovement.kind.in_(["return_sellable", "return_unsellable"]),
                    StockMovement.occurred_at >= start,
                    StockMovement.occurred_at < end,
                )
                .group_by(StockMovement.reference_id, StockMovement.owner_party_id)
            )
        ).all()

    async def filed_page(
        self, warehouse_id: str, page: PageRequest
    ) -> tuple[list[WarehouseReport], str | None]:
        """A warehouse's filed months, newest first."""
        stmt = select(WarehouseReport).where(WarehouseReport.warehouse_id == warehouse_id)
        return await self.page(stmt, _MONTHS, page, key=lambda r: (r.month,))
