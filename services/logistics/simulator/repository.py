"""SQL of the carrier simulator: legs it has not seen, its open legs, and what it did."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import exists, select

from services.logistics.claims.models import Claim
from services.logistics.inbound.models import InboundLine, InboundOrder
from services.logistics.outbound.models import OutboundOrder
from services.logistics.parties.models import Party
from services.logistics.products.models import Product
from services.logistics.returns.models import ReturnLine, ReturnRequest
from services.logistics.shipments.models import Leg, Shipment
from services.logistics.simulator.models import SimulatedLeg, SimulatedTask
from services.logistics.tracking.models import TrackingEvent
from services.logistics.warehouses.models import Warehouse
from shared.kit.repository import ModelRepository


class SimulatorRepository(ModelRepository[SimulatedLeg]):
    """Reads and writes of the simulator's table."""

    model = SimulatedLeg

    async def unseen_legs(self, limit: int) -> list[tuple[Leg, str]]:
        """Legs the simulator has no row for yet, oldest first, with their shipment's direction."""
        seen = exists().where(SimulatedLeg.leg_id == Leg.id)
        rows = await self.session.execute(
            select(Leg, Shipment.direction)
            .join(Shipment, Shipment.id == Leg.shipment_id)
            .where(~seen)
            .order_by(Leg.created_at, Leg.id)
            .limit(limit)
        )
        return [(leg, direction) for leg, direction in rows.all()]

    async def has_events(self, leg_ids: Iterable[str]) -> set[str]:
        """Those of ``leg_ids`` that already have tracking events (someone else reports them)."""
        wanted = list(leg_ids)
        if not wanted:
            return set()
        rows = await self.session.scalars(
            select(TrackingEvent.leg_id).where(TrackingEvent.leg_id.in_(wanted)).distinct()
        )
        return {row for row in rows if row}

    async def open_legs(self, limit: int) -> list[SimulatedLeg]:
        """Legs still being played (or waiting for an earlier leg), oldest first."""
        rows = await self.session.scalars(
            select(SimulatedLeg)
            .where(SimulatedLeg.finished_at.is_(None))
            .order_by(SimulatedLeg.created_at, SimulatedLeg.leg_id)
            .limit(limit)
        )
        return list(rows)

    async def of_shipments(self, shipment_ids: Iterable[str]) -> dict[str, list[SimulatedLeg]]:
        """Every simulated leg of these shipments, by shipment, in leg order."""
        wanted = sorted(set(shipment_ids))
        found: dict[str, list[SimulatedLeg]] = {s: [] for s in wanted}
        if not wanted:
            return found
        rows = await self.session.scalars(
            select(SimulatedLeg)
            .where(SimulatedLeg.shipment_id.in_(wanted))
            .order_by(SimulatedLeg.sequence, SimulatedLeg.leg_id)
        )
        for row in rows:
            found[row.shipment_id].append(row)
        return found

    async def legs(self, leg_ids: Iterable[str]) -> dict[str, Leg]:
        """The service's legs by id (their numbers and places as they are now)."""
        wanted = list(leg_ids)
        if not wanted:
            return {}
        rows = await self.session.scalars(select(Leg).where(Leg.id.in_(wanted)))
        return {leg.id: leg for leg in rows}

    async def directions(self, shipment_ids: Iterable[str]) -> dict[str, str]:
        """Each shipment's direction (export or import)."""
        wanted = list(shipment_ids)
        if not wanted:
            return {}
        rows = await self.session.execute(
            select(Shipment.id, Shipment.direction).where(Shipment.id.in_(wanted))
        )
        return {shipment_id: direction for shipment_id, direction in rows.all()}

    async def mark(self, leg_id: str, now: dt.datetime, **values: object) -> None:
        """Record what the simulator did with one leg."""
        row = await self.get(leg_id)
        if row is None:
            return
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at = now


def _unseen(kind: str, column: Any) -> Any:
    return ~exists().where(SimulatedTask.kind == kind, SimulatedTask.object_id == column)


class TaskRepository(ModelRepository[SimulatedTask]):
    """Work the warehouse and claims simulator finds, and its task rows."""

    model = SimulatedTask

    async def awaiting_asns(self, limit: int) -> list[InboundOrder]:
        """ASNs still awaiting their goods, with no task yet."""
        query = select(InboundOrder).where(InboundOrder.status == "awaiting", _unseen("asn", InboundOrder.id))
        return list(
            await self.session.scalars(query.order_by(InboundOrder.created_at, InboundOrder.id).limit(limit))
        )

    async def asn_lines(self, asn_id: str) -> list[tuple[str, str, int]]:
        """An ASN's announced lines: box, SKU, units."""
        rows = await self.session.execute(
            select(InboundLine.box_no, Product.sku, InboundLine.expected)
            .join(Product, Product.id == InboundLine.product_id)
            .where(InboundLine.asn_id == asn_id)
        )
        return [(box, sku, units) for box, sku, units in rows.all()]

    async def reserved_orders(self, limit: int) -> list[OutboundOrder]:
        """Reserved outbound orders with no task yet."""
        query = select(OutboundOrder).where(
            OutboundOrder.status == "reserved", _unseen("order", OutboundOrder.id)
        )
        return list(
            await self.session.scalars(
                query.order_by(OutboundOrder.created_at, OutboundOrder.id).limit(limit)
            )
        )

    async def returns_on_their_way(self, limit: int) -> list[ReturnRequest]:
        """Returns in transit to a warehouse with no task yet."""
        query = select(ReturnRequest).where(
            ReturnRequest.status == "in_transit",
            ReturnRequest.disposition == "warehouse",
            _unseen("return", ReturnRequest.id),
        )
        return list(
            await self.session.scalars(
                query.order_by(ReturnRequest.created_at, ReturnRequest.id).limit(limit)
            )
        )

    async def return_lines(self, return_id: str) -> list[tuple[str, int]]:
        """A return's lines: SKU, units."""
        rows = await self.session.execute(
            select(Product.sku, ReturnLine.quantity)
            .join(Product, Product.id == ReturnLine.product_id)
            .where(ReturnLine.return_id == return_id)
        )
        return [(sku, units) for sku, units in rows.all()]

    async def submitted_claims(self, limit: int) -> list[Claim]:
        """Submitted claims with no task yet."""
        query = select(Claim).where(Claim.status == "submitted", _unseen("claim", Claim.id))
        return list(await self.session.scalars(query.order_by(Claim.submitted_at, Claim.id).limit(limit)))

    async def operators(self, warehouse_ids: list[str]) -> dict[str, str]:
        """The operator party of each warehouse."""
        if not warehouse_ids:
            return {}
        rows = await self.session.execute(
            select(Warehouse.id, Warehouse.operator_party_id).where(
                Warehouse.id.in_(sorted(set(warehouse_ids)))
            )
        )
        return {warehouse_id: operator for warehouse_id, operator in rows.all()}

    async def carrier_codes(self) -> list[str]:
        """Codes of the registry's active logistics firms (the simulated world's carriers)."""
        parties = await self.session.scalars(
            select(Party).where(Party.status == "active").order_by(Party.party_id)
        )
        return [p.customs_code or p.uscc for p in parties if "logistics_firm" in (p.roles or [])]

    async def open_tasks(self, limit: int) -> list[SimulatedTask]:
        """Tasks still being played, oldest first."""
        query = select(SimulatedTask).where(SimulatedTask.finished_at.is_(None))
        order = (SimulatedTask.created_at, SimulatedTask.kind, SimulatedTask.object_id)
        return list(await self.session.scalars(query.order_by(*order).limit(limit)))

    async def task(self, kind: str, object_id: str) -> SimulatedTask | None:
        """One task row."""
        return await self.session.get(SimulatedTask, (kind, object_id))
