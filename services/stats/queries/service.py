"""The regulator queries: totals, time series, rankings, growth and the activity counts.

Each function takes the caller's already-scoped :class:`Filters` (an enterprise's
filters always carry its own party) and returns a :class:`ResultTable`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.aggregates.models import SPEC_BY_NAME
from services.stats.parties.repository import PartyRepository
from services.stats.periods import (
    bucket_label,
    bucket_start,
    buckets,
    month_end,
    month_start,
    months_aligned,
    next_bucket,
    same_bucket_last_year,
    shift_bucket,
)
from services.stats.queries.filters import Filters
from services.stats.queries.planner import choose
from services.stats.queries.repository import QueryRepository
from services.stats.queries.results import Column, ResultTable, growth, money, ratio
from shared.problems import VALIDATION_FAILED, ProblemError

GROUPABLE = ("party_id", "mode", "direction", "country", "district", "park", "currency")
RankingName = Literal[
    "enterprises", "countries", "chapters", "districts", "parks", "modes", "currencies", "directions"
]
Measure = Literal["value", "orders", "documents"]
RANKINGS: dict[str, str] = {
    "enterprises": "party_id",
    "countries": "country",
    "chapters": "chapter",
    "districts": "district",
    "parks": "park",
    "modes": "mode",
    "currencies": "currency",
    "directions": "direction",
}
MEASURE_COLUMNS = {"value": "value_fen", "orders": "orders", "documents": "documents"}
_FACT_COLUMNS = [
    Column("documents", "int"),
    Column("orders", "int"),
    Column("value", "money"),
    Column("returned", "money"),
]


def _measures(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "documents": row.get("documents", 0),
        "orders": row.get("orders", 0),
        "value": row.get("value_fen", 0),
        "returned": row.get("returned_fen", 0),
    }


def _display(dim: str, value: Any) -> Any:
    return None if value == "" else value


async def party_names(session: AsyncSession, party_ids: Iterable[str]) -> dict[str, str]:
    """Registered names of the given parties (from the registry mirror)."""
    return await PartyRepository.from_session(session).names(party_ids)


def _plan(filters: Filters, group_by: Iterable[str] = (), **kwargs: Any) -> Any:
    try:
        return choose(filters, group_by, **kwargs)
    except LookupError as exc:
        raise ProblemError(VALIDATION_FAILED, str(exc)) from None


def _check_group_by(group_by: list[str], allowed: Iterable[str] = GROUPABLE) -> None:
    bad = [g for g in group_by if g not in allowed]
    if bad:
        raise ProblemError(
            VALIDATION_FAILED,
            f"cannot group by {bad}; use {sorted(allowed)}",
            errors=[{"pointer": "/query/group_by", "detail": f"unknown dimension {b}"} for b in bad],
        )


# --------------------------------------------------------------------------- totals


async def totals(session: AsyncSession, filters: Filters, group_by: list[str]) -> ResultTable:
    """Sums over the period, optionally grouped by dimensions."""
    _check_group_by(group_by)
    spec = _plan(filters, group_by)
    rows = await QueryRepository.from_session(session).grouped(
        spec, filters, group_by, order_by="value_fen" if group_by else None
    )
    names = await party_names(session, (r["party_id"] for r in rows)) if "party_id" in group_by else {}
    out = []
    for row in rows:
        item = {g: _display(g, row[g]) for g in group_by} | _measures(row)
        if "currency" in group_by:
            item["value_orig"] = row["value_orig_cents"]
        if "party_id" in group_by:
            item["name"] = names.get(row["party_id"])
        out.append(item)
    columns = [Column(g) for g in group_by] + ([Column("name")] if "party_id" in group_by else [])
    columns += _FACT_COLUMNS + ([Column("value_orig", "money")] if "currency" in group_by else [])
    return ResultTable(
        "totals", "交易统计汇总", "Trade totals", columns, out, filters.describe(), {"source": spec.name}
    )


# --------------------------------------------------------------------------- series


async def series(session: AsyncSession, filters: Filters, granularity: str, split: str | None) -> ResultTable:
    """A time series (day, month, quarter, year) with growth on the previous bucket and on last year.

    Buckets cover only the requested days (a period starting mid-month has a partial
    first month); the figures growth compares with are read as far back as needed.
    """
    if split is not None:
        _check_group_by([split])
    group = [split] if split else []
    history_from = same_bucket_last_year(bucket_start(filters.first, granularity), granularity)
    extended = filters.with_period(history_from, filters.last)
    spec = _plan(extended, group, daily=granularity == "day" or not _aligned_for(filters, granularity))
    rows = await QueryRepository.from_session(session).grouped(spec, extended, group, by_time=True)
    current: dict[tuple[dt.date, Any], dict[str, int]] = defaultdict(lambda: defaultdict(int))  # type: ignore[arg-type]
    history: dict[tuple[dt.date, Any], dict[str, int]] = defaultdict(lambda: defaultdict(int))  # type: ignore[arg-type]
    splits: set[Any] = set()
    for row in rows:
        key = (bucket_start(row["time"], granularity), row[split] if split else None)
        target = current if row["time"] >= filters.first else history
        if target is current:
            splits.add(key[1])
        for name, value in _measures(row).items():
            target[key][name] += value
    first_bucket = bucket_start(filters.first, granularity)

    def figures(start: dt.date, value: Any) -> dict[str, int]:
        return (current if start >= first_bucket else history).get((start, value), {})

    out = []
    for start in buckets(filters.first, filters.last, granularity):
        for value in sorted(splits, key=lambda v: (v is None, str(v))) or [None]:
            now = figures(start, value)
            prev = figures(shift_bucket(start, granularity, -1), value)
            last_year = figures(same_bucket_last_year(start, granularity), value)
            item: dict[str, Any] = {
                "bucket": bucket_label(start, granularity),
                "documents": now.get("documents", 0),
                "orders": now.get("orders", 0),
                "value": now.get("value", 0),
                "returned": now.get("returned", 0),
                "mom": growth(now.get("value", 0), prev.get("value", 0)),
                "yoy": growth(now.get("value", 0), last_year.get("value", 0)),
            }
            if split:
                item[split] = _display(split, value)
            out.append(item)
    columns = (
        [Column("bucket")]
        + ([Column(split)] if split else [])
        + _FACT_COLUMNS
        + [Column("mom", "rate"), Column("yoy", "rate")]
    )
    return ResultTable(
        "series",
        "交易额走势",
        "Trade over time",
        columns,
        out,
        filters.describe() | {"granularity": granularity},
        {"source": spec.name},
    )


def _aligned_for(filters: Filters, granularity: str) -> bool:
    return granularity != "day" and months_aligned(filters.first, filters.last)


# --------------------------------------------------------------------------- rankings


async def ranking(session: AsyncSession, filters: Filters, what: str, by: str, limit: int) -> ResultTable:
    """Top ``limit`` enterprises / countries / chapters / … by value, orders or documents."""
    dim = RANKINGS.get(what)
    if dim is None:
        raise ProblemError(VALIDATION_FAILED, f"no ranking of {what!r}; use one of {sorted(RANKINGS)}")
    chapters = dim == "chapter"
    if chapters:
        # Chapter figures are monthly: widen the period to whole months and say so.
        filters = filters.with_period(month_start(filters.first), month_end(filters.last))
        if by == "orders":
            raise ProblemError(VALIDATION_FAILED, "chapters rank by value or documents")
    elif "chapter" in filters.values:
        raise ProblemError(VALIDATION_FAILED, "the chapter filter applies to chapter rankings only")
    measure = MEASURE_COLUMNS.get(by)
    if measure is None:
        raise ProblemError(VALIDATION_FAILED, f"rank by one of {sorted(MEASURE_COLUMNS)}")
    spec = _plan(filters, [dim], chapters=chapters)
    rows = await QueryRepository.from_session(session).grouped(
        spec, filters, [dim], order_by=measure, limit=limit
    )
    total_rows = await QueryRepository.from_session(session).grouped(spec, filters, [])
    total = total_rows[0][measure] if total_rows else 0
    names = await party_names(session, (r["party_id"] for r in rows)) if dim == "party_id" else {}
    out = []
    for rank, row in enumerate(rows, start=1):
        item: dict[str, Any] = {
            "rank": rank,
            dim: _display(dim, row[dim]),
            "documents": row["documents"],
            "value": row["value_fen"],
            "share": ratio(row[measure], total),
        }
        if chapters:
            item["lines"] = row["lines"]
        else:
            item["orders"] = row["orders"]
        if dim == "party_id":
            item["name"] = names.get(row["party_id"])
        out.append(item)
    columns = [Column("rank", "int"), Column(dim)] + ([Column("name")] if dim == "party_id" else [])
    columns += [
        Column("documents", "int"),
        Column("lines", "int") if chapters else Column("orders", "int"),
        Column("value", "money"),
        Column("share", "rate"),
    ]
    titles = {
        "party_id": ("企业排名", "Top enterprises"),
        "country": ("国别(地区)排名", "Top partner countries"),
        "chapter": ("商品章排名", "Top HS chapters"),
        "district": ("区县排名", "Districts"),
        "park": ("园区排名", "Parks and incubators"),
        "mode": ("监管方式排名", "Customs modes"),
        "currency": ("币制排名", "Currencies"),
        "direction": ("进出口", "Import and export"),
    }[dim]
    return ResultTable(
        f"ranking-{what}",
        titles[0],
        titles[1],
        columns,
        out,
        filters.describe() | {"by": by, "limit": limit},
        {"source": spec.name},
    )


# --------------------------------------------------------------------------- growth


async def growth_table(
    session: AsyncSession, filters: Filters, granularity: str, at: dt.date | None
) -> ResultTable:
    """One bucket's figures beside the previous bucket and the same bucket a year earlier."""
    if granularity == "day":
        raise ProblemError(VALIDATION_FAILED, "growth is computed per month, quarter or year")
    start = bucket_start(at or filters.last, granularity)
    previous = shift_bucket(start, granularity, -1)
    last_year = same_bucket_last_year(start, granularity)
    results: dict[str, dict[str, int]] = {}
    for name, first in (("current", start), ("previous", previous), ("last_year", last_year)):
        period = filters.with_period(first, next_bucket(first, granularity) - dt.timedelta(days=1))
        rows = await QueryRepository.from_session(session).grouped(_plan(period), period)
        results[name] = (
            _measures(rows[0]) if rows else {"documents": 0, "orders": 0, "value": 0, "returned": 0}
        )
    out = []
    for figure in ("value", "orders", "documents"):
        current, prev, year_ago = (results[k][figure] for k in ("current", "previous", "last_year"))

        def shown(amount: int, figure: str = figure) -> Any:
            return money(amount) if figure == "value" else Decimal(amount)

        out.append(
            {
                "figure": figure,
                "current": shown(current),
                "previous": shown(prev),
                "last_year": shown(year_ago),
                "mom": growth(current, prev),
                "yoy": growth(current, year_ago),
            }
        )
    columns = [
        Column("figure"),
        Column("current", "number"),
        Column("previous", "number"),
        Column("last_year", "number"),
        Column("mom", "rate"),
        Column("yoy", "rate"),
    ]
    return ResultTable(
        "growth",
        "同比环比",
        "Growth (MoM / YoY)",
        columns,
        out,
        filters.describe()
        | {
            "granularity": granularity,
            "bucket": bucket_label(start, granularity),
            "previous": bucket_label(previous, granularity),
            "last_year": bucket_label(last_year, granularity),
        },
    )


# --------------------------------------------------------------------------- enterprises


async def active_enterprises(
    session: AsyncSession, filters: Filters, granularity: str, group_by: str | None
) -> ResultTable:
    """Enterprises with real transactions (counted facts) per bucket, by district or park."""
    group = [group_by] if group_by else []
    if group_by:
        _check_group_by(group, ("district", "park", "mode", "direction"))
    out: list[dict[str, Any]] = []
    source = ""
    for start in buckets(filters.first, filters.last, granularity):
        end = min(next_bucket(start, granularity) - dt.timedelta(days=1), filters.last)
        period = filters.with_period(max(start, filters.first), end)
        spec = _plan(period, ["party_id", *group])
        source = spec.name
        for row in await QueryRepository.from_session(session).distinct_parties(spec, period, group):
            item = {"bucket": bucket_label(start, granularity), "enterprises": row["enterprises"]}
            if group_by:
                item[group_by] = _display(group_by, row[group_by])
            out.append(item)
    columns = [Column("bucket")] + ([Column(group_by)] if group_by else []) + [Column("enterprises", "int")]
    return ResultTable(
        "enterprises-active",
        "有交易实绩企业数",
        "Enterprises with real transactions",
        columns,
        out,
        filters.describe() | {"granularity": granularity},
        {"source": source},
    )


def _check_first_activity_filters(filters: Filters) -> None:
    unsupported = set(filters.values) - {"district", "park", "party_id"}
    if unsupported:
        raise ProblemError(
            VALIDATION_FAILED,
            f"newly active enterprises are filtered by district and park only, not {sorted(unsupported)}",
        )


async def new_enterprises(
    session: AsyncSession, filters: Filters, granularity: str, group_by: str | None
) -> ResultTable:
    """Enterprises whose first real transaction falls in each bucket, by district or park."""
    if group_by:
        _check_group_by([group_by], ("district", "park"))
    _check_first_activity_filters(filters)
    counts: dict[tuple[str, Any], int] = defaultdict(int)
    rows = await QueryRepository.from_session(session).new_enterprise_counts(filters, granularity, group_by)
    for row in rows:
        day = row[0] if isinstance(row[0], dt.date) else dt.date.fromisoformat(str(row[0]))
        key = (
            bucket_label(bucket_start(day, granularity), granularity),
            row[1] if group_by else None,
        )
        counts[key] += row.enterprises
    out = []
    for (label, group), count in sorted(counts.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        item: dict[str, Any] = {"bucket": label, "enterprises": count}
        if group_by:
            item[group_by] = _display(group_by, group)
        out.append(item)
    columns = [Column("bucket")] + ([Column(group_by)] if group_by else []) + [Column("enterprises", "int")]
    return ResultTable(
        "enterprises-new",
        "新增有交易实绩企业数",
        "Newly active enterprises",
        columns,
        out,
        filters.describe() | {"granularity": granularity},
    )


async def new_enterprise_list(session: AsyncSession, filters: Filters, limit: int) -> ResultTable:
    """The newly active enterprises themselves, with their first day and place."""
    _check_first_activity_filters(filters)
    rows = await QueryRepository.from_session(session).new_enterprises(filters, limit)
    names = await party_names(session, (r.party_id for r in rows))
    out = [
        {
            "party_id": r.party_id,
            "name": names.get(r.party_id),
            "first_day": r.first_day,
            "district": _display("district", r.district),
            "park": _display("park", r.park),
        }
        for r in rows
    ]
    columns = [
        Column("party_id"),
        Column("name"),
        Column("first_day", "date"),
        Column("district"),
        Column("park"),
    ]
    return ResultTable(
        "enterprises-new-list",
        "新增有交易实绩企业名单",
        "Newly active enterprises (list)",
        columns,
        out,
        filters.describe() | {"limit": limit},
    )


# --------------------------------------------------------------------------- summary (foundation-compatible)


async def summary(session: AsyncSession, party_id: str | None) -> dict[str, Any]:
    """All-time figures by mode and direction: own ones, or the platform's for a regulator."""
    spec = SPEC_BY_NAME["stats_agg_party_month" if party_id else "stats_agg_month"]
    filters = Filters(
        dt.date(2000, 1, 1), dt.date(2100, 12, 31), {"party_id": (party_id,)} if party_id else {}
    )
    rows = await QueryRepository.from_session(session).grouped(spec, filters, ["mode", "direction"])
    by_mode = [
        {
            "mode": r["mode"] or None,
            "direction": r["direction"],
            "documents": r["documents"],
            "orders": r["orders"],
            "valueCny": str(money(r["value_fen"])),
        }
        for r in rows
    ]
    return {
        "scope": party_id or "platform",
        "documents": sum(r["documents"] for r in rows),
        "orders": sum(r["orders"] for r in rows),
        "valueCny": str(money(sum(r["value_fen"] for r in rows))),
        "byMode": by_mode,
    }
