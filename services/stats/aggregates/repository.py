"""Every SQL statement over the aggregate tables: incremental deltas, set-based rebuilds, reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, delete, func, literal_column, select
from sqlalchemy.sql.elements import ColumnElement

from services.stats.aggregates.models import SPECS, TABLES, AggregateSpec
from services.stats.aggregates.rules import Key
from services.stats.base import table_of
from services.stats.facts.models import Fact, FactChapter
from shared.kit.repository import Repository


class AggregateRepository(Repository):
    """The aggregate tables of :data:`services.stats.aggregates.models.SPECS`."""

    async def add_measures(self, spec: AggregateSpec, rows: list[dict[str, Any]]) -> None:
        """Add each row's measures to the row of its key (created at zero if missing)."""
        await self.upsert(spec.table, rows, spec.key, replace=(), add=spec.measures)

    async def drop_empty(self, spec: AggregateSpec, keys: Iterable[Key]) -> None:
        """Delete the rows of these keys whose document count fell to zero."""
        table = spec.table
        for key in keys:
            await self.session.execute(
                delete(table).where(
                    and_(*(table.c[column] == value for column, value in zip(spec.key, key, strict=True))),
                    table.c.documents <= 0,
                )
            )

    def truncate(self, column: ColumnElement[Any], grain: str) -> ColumnElement[Any]:
        """SQL for the first day of ``column``'s month or year, on either database."""
        if self.dialect == "postgresql":
            return func.date_trunc(grain, column).cast(table_of(Fact).c.business_day.type)
        modifier = "'start of month'" if grain == "month" else "'start of year'"
        return func.date(column, literal_column(modifier))

    async def rebuild(self, spec: AggregateSpec) -> None:
        """Replace one aggregate table's rows by the GROUP BY of the counted facts."""
        facts = table_of(Fact)
        await self.session.execute(delete(spec.table))
        day = facts.c.business_day
        time = day if spec.grain == "day" else self.truncate(day, spec.grain)
        group: list[ColumnElement[Any]] = [time.label(spec.time_column)]
        if spec.chapters:
            chapters = table_of(FactChapter)
            source: Any = facts.join(chapters, chapters.c.document_id == facts.c.document_id)
            group += [chapters.c.chapter if d == "chapter" else facts.c[d] for d in spec.dims]
            measures = [
                func.count().label("documents"),
                func.sum(chapters.c.lines).label("lines"),
                func.sum(chapters.c.value_fen).label("value_fen"),
            ]
        else:
            source = facts
            group += [facts.c[d] for d in spec.dims]
            measures = [func.sum(facts.c[m]).label(m) for m in spec.measures]
        query = select(*group, *measures).select_from(source).where(facts.c.counted).group_by(*group)
        columns = [spec.time_column, *spec.dims, *spec.measures]
        await self.session.execute(spec.table.insert().from_select(columns, query))

    async def rebuild_all(self) -> None:
        """Every aggregate table from the facts."""
        for spec in SPECS:
            await self.rebuild(spec)

    async def first_trade_day(self, party_id: str) -> dt.date | None:
        """The party's first day with counted trade, or None."""
        party_day = TABLES["stats_agg_party_day"]
        return await self.session.scalar(
            select(func.min(party_day.c.day)).where(party_day.c.party_id == party_id)
        )

    async def party_year_totals(self, year: int) -> dict[str, tuple[int, int]]:
        """Per party: counted value in fen and orders in the (Beijing) calendar year."""
        table = TABLES["stats_agg_party_year"]
        rows = await self.session.execute(
            select(table.c.party_id, func.sum(table.c.value_fen), func.sum(table.c.orders))
            .where(table.c.year == dt.date(year, 1, 1))
            .group_by(table.c.party_id)
        )
        return {r[0]: (int(r[1] or 0), int(r[2] or 0)) for r in rows}
