"""Every SQL statement of the regulator queries: grouped sums over an aggregate table (the
statement every query shares), distinct-party counts, and first activity."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, func, select

from services.stats.aggregates.models import AggregateSpec
from services.stats.parties.models import FirstActivity
from services.stats.periods import grain_start
from services.stats.queries.filters import Filters
from shared.kit.repository import Repository


def conditions(spec: AggregateSpec, filters: Filters) -> list[Any]:
    """WHERE clauses for ``filters`` on ``spec``'s table (monthly tables: the period's months)."""
    table = spec.table
    time = table.c[spec.time_column]
    first, last = grain_start(filters.first, spec.grain), grain_start(filters.last, spec.grain)
    where = [time >= first, time <= last]
    for dim, values in filters.values.items():
        column = table.c[dim]
        where.append(column == values[0] if len(values) == 1 else column.in_(values))
    return where


class QueryRepository(Repository):
    """The statements of the queries (the caller has scoped the filters already)."""

    async def grouped(
        self,
        spec: AggregateSpec,
        filters: Filters,
        group_by: Sequence[str] = (),
        *,
        by_time: bool = False,
        order_by: str | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """SUM of every measure grouped by ``group_by`` (and the table's time column); rows as dicts."""
        table = spec.table
        keys = ([spec.time_column] if by_time else []) + list(group_by)
        columns = [table.c[k] for k in keys]
        measures = [func.sum(table.c[m]).label(m) for m in spec.measures]
        query = select(*columns, *measures).where(and_(*conditions(spec, filters)))
        if columns:
            query = query.group_by(*columns)
        if order_by:
            query = query.order_by(func.sum(table.c[order_by]).desc(), *columns)
        elif columns:
            query = query.order_by(*columns)
        if limit:
            query = query.limit(limit)
        rows = []
        for row in (await self.session.execute(query)).all():
            values = dict(row._mapping)
            for m in spec.measures:
                values[m] = int(values[m] or 0)
            if by_time:
                values["time"] = _as_date(values.pop(spec.time_column))
            rows.append(values)
        return rows

    async def distinct_parties(
        self, spec: AggregateSpec, filters: Filters, group_by: Sequence[str] = ()
    ) -> list[dict[str, Any]]:
        """COUNT(DISTINCT party) grouped by ``group_by`` over ``spec`` (a party table)."""
        table = spec.table
        columns = [table.c[k] for k in group_by]
        query = select(*columns, func.count(func.distinct(table.c.party_id)).label("enterprises")).where(
            and_(*conditions(spec, filters))
        )
        if columns:
            query = query.group_by(*columns).order_by(*columns)
        return [dict(r._mapping) for r in (await self.session.execute(query)).all()]

    async def new_enterprise_counts(
        self, filters: Filters, granularity: str, group_by: str | None
    ) -> Sequence[Any]:
        """``(first day or month, [group,] enterprises)`` of first activity in the period."""
        time = FirstActivity.first_day if granularity == "day" else FirstActivity.first_month
        group_column = getattr(FirstActivity, group_by) if group_by else None
        columns = [time] + ([group_column] if group_column is not None else [])
        query = (
            select(*columns, func.count().label("enterprises"))
            .where(*_first_activity_conditions(filters))
            .group_by(*columns)
        )
        return (await self.session.execute(query)).all()

    async def new_enterprises(self, filters: Filters, limit: int) -> list[FirstActivity]:
        """The first activities in the period, by first day and party."""
        query = (
            select(FirstActivity)
            .where(*_first_activity_conditions(filters))
            .order_by(FirstActivity.first_day, FirstActivity.party_id)
            .limit(limit)
        )
        return list((await self.session.scalars(query)).all())


def _first_activity_conditions(filters: Filters) -> list[Any]:
    """WHERE clauses of first activity in the period (district, park and party filters only)."""
    where = [FirstActivity.first_day >= filters.first, FirstActivity.first_day <= filters.last]
    column_of = {
        "district": FirstActivity.district,
        "park": FirstActivity.park,
        "party_id": FirstActivity.party_id,
    }
    for dim, values in filters.values.items():
        where.append(column_of[dim].in_(values))
    return where


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value  # type: ignore[no-any-return]
