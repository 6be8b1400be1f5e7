"""Every statement on ``inventory_matches``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, delete, insert, select

from services.declaration.matching.models import InventoryMatch
from shared.kit.repository import ModelRepository

MATCHES: Table = InventoryMatch.__table__  # type: ignore[assignment]


class MatchRepository(ModelRepository[InventoryMatch]):
    """The latest three-document match of each inventory."""

    model = InventoryMatch

    async def store(self, rows: Sequence[Mapping[str, Any]], *, replace: bool = True) -> None:
        """Insert match rows, replacing earlier ones unless the inventories are new (≤ 2 statements)."""
        if not rows:
            return
        if replace:
            await self.session.execute(
                delete(MATCHES).where(MATCHES.c.inventory_id.in_([r["inventory_id"] for r in rows]))
            )
        await self.session.execute(insert(MATCHES), [dict(row) for row in rows])

    async def of_inventory(self, inventory_id: str) -> InventoryMatch | None:
        """The match of one inventory (None for other documents)."""
        return await self.session.scalar(
            select(InventoryMatch).where(InventoryMatch.inventory_id == inventory_id)
        )


__all__ = ["MATCHES", "MatchRepository"]
