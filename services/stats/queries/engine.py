"""Running a grouped sum over an aggregate table (the SQL every query shares)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.aggregates.models import AggregateSpec
from services.stats.periods import grain_start
from services.stats.queries.filters import Filters


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


async def grouped(
    session: AsyncSession,
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
    for row in (await session.execute(query)).all():
        values = dict(row._mapping)
        for m in spec.measures:
            values[m] = int(values[m] or 0)
        if by_time:
            values["time"] = _as_date(values.pop(spec.time_column))
        rows.append(values)
    return rows


async def distinct_parties(
    session: AsyncSession, spec: AggregateSpec, filters: Filters, group_by: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """COUNT(DISTINCT party) grouped by ``group_by`` over ``spec`` (a party table)."""
    table = spec.table
    columns = [table.c[k] for k in group_by]
    query = select(*columns, func.count(func.distinct(table.c.party_id)).label("enterprises")).where(
        and_(*conditions(spec, filters))
    )
    if columns:
        query = query.group_by(*columns).order_by(*columns)
    return [dict(r._mapping) for r in (await session.execute(query)).all()]


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value  # type: ignore[no-any-return]
