"""Every SQL statement of the statistics' warehouse module."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import func, select

from services.stats.warehouses.models import CertificationAssessment, WarehouseMonth, WarehouseProfile
from shared.kit.repository import ModelRepository


class WarehouseStatsRepository(ModelRepository[WarehouseProfile]):
    """Profiles, filed months and assessments."""

    model = WarehouseProfile

    async def month(self, warehouse_id: str, month: str) -> WarehouseMonth | None:
        return await self.session.get(WarehouseMonth, (warehouse_id, month))

    async def profiles(self, operator_party_id: str | None = None) -> Sequence[WarehouseProfile]:
        """Every warehouse (or one operator's), by id."""
        stmt = select(WarehouseProfile).order_by(WarehouseProfile.warehouse_id)
        if operator_party_id is not None:
            stmt = stmt.where(WarehouseProfile.operator_party_id == operator_party_id)
        return (await self.session.scalars(stmt)).all()

    async def months_of(self, warehouse_ids: Collection[str]) -> Sequence[WarehouseMonth]:
        """The filed months of these warehouses, oldest first."""
        if not warehouse_ids:
            return []
        return (
            await self.session.scalars(
                select(WarehouseMonth)
                .where(WarehouseMonth.warehouse_id.in_(set(warehouse_ids)))
                .order_by(WarehouseMonth.warehouse_id, WarehouseMonth.month)
            )
        ).all()

    async def months_between(self, first: str, last: str) -> Sequence[WarehouseMonth]:
        """Every warehouse's filed months from ``first`` to ``last`` (YYYY-MM)."""
        return (
            await self.session.scalars(
                select(WarehouseMonth)
                .where(WarehouseMonth.month >= first, WarehouseMonth.month <= last)
                .order_by(WarehouseMonth.month, WarehouseMonth.warehouse_id)
            )
        ).all()

    async def assessments(
        self, warehouse_ids: Collection[str] | None = None
    ) -> Sequence[CertificationAssessment]:
        """Assessments (of these warehouses), oldest first."""
        stmt = select(CertificationAssessment).order_by(CertificationAssessment.id)
        if warehouse_ids is not None:
            stmt = stmt.where(CertificationAssessment.warehouse_id.in_(set(warehouse_ids)))
        return (await self.session.scalars(stmt)).all()

    def add_assessment(self, row: CertificationAssessment) -> None:
        self.session.add(row)

    async def count(self) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(WarehouseProfile)) or 0)
