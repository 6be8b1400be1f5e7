"""SQL of the carrier simulator: legs it has not seen, its open legs, and what it did."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import exists, select

from services.logistics.shipments.models import Leg, Shipment
from services.logistics.simulator.models import SimulatedLeg
from services.logistics.tracking.models import TrackingEvent
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
