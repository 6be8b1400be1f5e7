"""Recomputing every aggregate from the fact table in set-based SQL.

Used by the full rebuild (after the facts were replayed from the event log) and by
the benchmark loader (after COPY). The incremental maintenance must end in exactly
these rows: the rebuild test compares them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, literal_column, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from services.stats.aggregates.models import SPECS, AggregateSpec
from services.stats.base import table_of
from services.stats.facts.models import Fact, FactChapter
from services.stats.parties.models import FirstActivity
from shared.kit.sql import dialect_of


def truncate(session: AsyncSession, column: ColumnElement, grain: str) -> ColumnElement:  # type: ignore[type-arg]
    """SQL for the first day of ``column``'s month or year, on either database."""
    if dialect_of(session) == "postgresql":
        return func.date_trunc(grain, column).cast(table_of(Fact).c.business_day.type)
    modifier = "'start of month'" if grain == "month" else "'start of year'"
    return func.date(column, literal_column(modifier))


async def rebuild_aggregate(session: AsyncSession, spec: AggregateSpec) -> None:
    """Replace one aggregate table's rows by the GROUP BY of the counted facts."""
    facts = table_of(Fact)
    await session.execute(delete(spec.table))
    day = facts.c.business_day
    time = day if spec.grain == "day" else truncate(session, day, spec.grain)
    group: list[ColumnElement] = [time.label(spec.time_column)]  # type: ignore[type-arg]
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
    await session.execute(spec.table.insert().from_select(columns, query))


_FIRST_ACTIVITY = """
    INSERT INTO stats_party_first_activity (party_id, first_day, first_month, district, park)
    SELECT party_id, business_day, MONTH, district, park FROM (
        SELECT party_id, business_day, district, park,
               ROW_NUMBER() OVER (PARTITION BY party_id ORDER BY business_day, document_id) AS n
        FROM stats_facts WHERE counted
    ) AS ranked WHERE n = 1
"""


async def rebuild_first_activity(session: AsyncSession) -> None:
    """Every party's first counted day, and its district and park on its first fact."""
    await session.execute(delete(FirstActivity))
    month = (
        "date_trunc('month', business_day)::date"
        if dialect_of(session) == "postgresql"
        else "date(business_day, 'start of month')"
    )
    # MONTH is replaced by one of the two fixed SQL expressions above; no input reaches the text.
    statement = text(_FIRST_ACTIVITY.replace("MONTH", month))
    await session.execute(statement)


async def rebuild_aggregates(session: AsyncSession) -> None:
    """All aggregate tables and first activity from the facts."""
    for spec in SPECS:
        await rebuild_aggregate(session, spec)
    await rebuild_first_activity(session)
