"""Every SQL statement of the warehouse registry."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from services.logistics.base import table_of
from services.logistics.warehouses.models import Warehouse
from shared.kit.pagination import Keyset, PageRequest
from shared.kit.repository import ModelRepository

_BY_ID = Keyset([table_of(Warehouse).c.id], ["str"], descending=False)


class WarehouseRepository(ModelRepository[Warehouse]):
    """Warehouses by id, by operator code, and pages of the registry."""

    model = Warehouse

    async def by_code(self, operator_party_id: str, code: str) -> Warehouse | None:
        """The operator's warehouse with this code, or None."""
        return await self.session.scalar(
            select(Warehouse).where(Warehouse.operator_party_id == operator_party_id, Warehouse.code == code)
        )

    async def of_operator(self, operator_party_id: str) -> Sequence[Warehouse]:
        """Every warehouse the party operates."""
        return (
            await self.session.scalars(
                select(Warehouse)
                .where(Warehouse.operator_party_id == operator_party_id)
                .order_by(Warehouse.id)
            )
        ).all()

    async def many(self, ids: Sequence[str]) -> dict[str, Warehouse]:
        """Warehouses by id (missing ids are absent)."""
        if not ids:
            return {}
        rows = await self.session.scalars(select(Warehouse).where(Warehouse.id.in_(set(ids))))
        return {w.id: w for w in rows}

    async def list_page(
        self,
        page: PageRequest,
        *,
        country: str | None = None,
        operator_party_id: str | None = None,
        usage: str | None = None,
        certification_level: str | None = None,
    ) -> tuple[list[Warehouse], str | None]:
        """A page of the registry in id order, filtered."""
        stmt = select(Warehouse)
        if country:
            stmt = stmt.where(Warehouse.country == country)
        if operator_party_id:
            stmt = stmt.where(Warehouse.operator_party_id == operator_party_id)
        if usage:
            stmt = stmt.where(Warehouse.usage == usage)
        if certification_level:
            stmt = stmt.where(Warehouse.certification_level == certification_level)
        return await self.page(stmt, _BY_ID, page, key=lambda w: (w.id,))
