"""SQL of the RMB settlement figures."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from services.stats.base import table_of
from services.stats.settlement.models import RmbSettlementYear
from shared.kit.repository import Repository


class SettlementRepository(Repository):
    """Every statement of the module."""

    async def keep_latest(self, row: dict[str, Any]) -> None:
        """Store the figure unless a higher revision is stored already (duplicates, reordering)."""
        table = table_of(RmbSettlementYear)
        await self.upsert(
            table,
            row,
            ("party_id", "year"),
            replace=["amount_fen", "settlements", "revision", "as_of"],
            where=lambda excluded: table.c.revision < excluded.revision,
        )

    async def of_year(self, year: int) -> dict[str, int]:
        """Fen of RMB settlement per enterprise in ``year``."""
        rows = await self.session.execute(
            select(RmbSettlementYear.party_id, RmbSettlementYear.amount_fen).where(
                RmbSettlementYear.year == year
            )
        )
        return {party: fen for party, fen in rows}
