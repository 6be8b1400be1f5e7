"""SQL of goods–funds consistency."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select

from services.stats.aggregates.models import TABLES
from services.stats.base import table_of
from services.stats.goods_funds.models import FundsMonth
from services.stats.parties.models import PartyMirror
from shared.kit.repository import Repository


class GoodsFundsRepository(Repository):
    """Every statement of the module."""

    async def keep_latest(self, row: dict[str, Any]) -> None:
        """Store the month unless a higher revision is stored already."""
        table = table_of(FundsMonth)
        await self.upsert(
            table,
            row,
            ("party_id", "month"),
            replace=[c for c in row if c not in ("party_id", "month")],
            where=lambda excluded: table.c.revision < excluded.revision,
        )

    async def funds(self, month: str, parties: Sequence[str] | None) -> dict[str, FundsMonth]:
        """The funds side of the month, per enterprise."""
        stmt = select(FundsMonth).where(FundsMonth.month == month)
        if parties is not None:
            stmt = stmt.where(FundsMonth.party_id.in_(list(parties) or [""]))
        return {row.party_id: row for row in await self.session.scalars(stmt)}

    async def declared(self, month: str, parties: Sequence[str] | None) -> dict[tuple[str, str], int]:
        """Declared (counted) value in fen per (enterprise, direction) in the month."""
        table = TABLES["stats_agg_party_month"]
        first = dt.date(int(month[:4]), int(month[5:7]), 1)
        stmt = (
            select(table.c.party_id, table.c.direction, func.sum(table.c.value_fen))
            .where(table.c.month == first)
            .group_by(table.c.party_id, table.c.direction)
        )
        if parties is not None:
            stmt = stmt.where(table.c.party_id.in_(list(parties) or [""]))
        return {
            (party, direction): int(fen or 0) for party, direction, fen in await self.session.execute(stmt)
        }

    async def names(self, parties: Sequence[str]) -> dict[str, PartyMirror]:
        """Registry entries of the enterprises."""
        if not parties:
            return {}
        rows = await self.session.scalars(select(PartyMirror).where(PartyMirror.party_id.in_(list(parties))))
        return {row.party_id: row for row in rows}
