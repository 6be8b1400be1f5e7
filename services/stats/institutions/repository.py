"""SQL of the institution volume figures."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from services.stats.base import table_of
from services.stats.institutions.models import InstitutionVolumeYear
from shared.kit.repository import Repository


class InstitutionRepository(Repository):
    """Every statement of the module."""

    async def keep_latest(self, row: dict[str, Any]) -> None:
        """Store the figure unless a higher revision is stored already."""
        table = table_of(InstitutionVolumeYear)
        await self.upsert(
            table,
            row,
            ("party_id", "year"),
            replace=[c for c in row if c not in ("party_id", "year")],
            where=lambda excluded: table.c.revision < excluded.revision,
        )

    async def of_year(self, year: int) -> list[InstitutionVolumeYear]:
        """Every institution's figure of ``year``."""
        rows = await self.session.scalars(
            select(InstitutionVolumeYear)
            .where(InstitutionVolumeYear.year == year)
            .order_by(InstitutionVolumeYear.party_id)
        )
        return list(rows)
