"""SQL of logistics costs."""

from __future__ import annotations

from sqlalchemy import select

from services.logistics.costs.models import LogisticsCost
from shared.kit.repository import Repository


class CostRepository(Repository):
    """Reads and writes of logistics costs."""

    async def get(self, cost_id: str) -> LogisticsCost | None:
        """One cost record."""
        return await self.session.get(LogisticsCost, cost_id)

    def add(self, row: LogisticsCost) -> None:
        """Stage a new record."""
        self.session.add(row)

    async def flush(self) -> None:
        """Write now (a second correction of one record fails here, on the unique ``supersedes``)."""
        await self.session.flush()

    async def of_shipment(self, shipment_id: str) -> list[LogisticsCost]:
        """A shipment's records, oldest first."""
        rows = await self.session.scalars(
            select(LogisticsCost)
            .where(LogisticsCost.shipment_id == shipment_id)
            .order_by(LogisticsCost.created_at, LogisticsCost.id)
        )
        return list(rows.all())

    async def superseded(self, shipment_id: str) -> set[str]:
        """Ids of this shipment's records a later record replaced."""
        rows = await self.session.scalars(
            select(LogisticsCost.supersedes).where(
                LogisticsCost.shipment_id == shipment_id, LogisticsCost.supersedes.is_not(None)
            )
        )
        return {row for row in rows.all() if row}
