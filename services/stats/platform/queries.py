"""The platform operator's own figures: connected parties, API traffic, message and trade volume.

What the operator's yearly subsidy is judged on (policy 一(一)): how many parties are
connected by system integration, how much they use the API, and the volume that
flows through the platform.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.parties.repository import PartyRepository
from services.stats.periods import bucket_label, bucket_start
from services.stats.platform.repository import PlatformRepository
from services.stats.queries.filters import Filters
from services.stats.queries.planner import choose
from services.stats.queries.repository import QueryRepository
from services.stats.queries.results import Column, ResultTable, money


async def operating_figures(session: AsyncSession, filters: Filters) -> ResultTable:
    """One row per figure for the period (parties connected at its end, activity within it)."""
    end = filters.last
    parties = await PartyRepository.from_session(session).registered_by(end)
    platform = PlatformRepository.from_session(session)
    active = [p for p in parties if p.status == "active"]
    new = [p for p in parties if p.registered_day >= filters.first]
    by_role = Counter(role for p in active for role in (p.roles or []))
    traffic = await platform.traffic_total(filters.first, end)
    accepted = await platform.accepted_by_kind(filters.first, end)
    trade_filters = Filters(filters.first, end)
    trade = await QueryRepository.from_session(session).grouped(choose(trade_filters), trade_filters)
    trade_row = trade[0] if trade else {"documents": 0, "orders": 0, "value_fen": 0}
    rows: list[dict[str, Any]] = [
        {"figure": "connected_parties", "current": len(active)},
        {"figure": "newly_connected_parties", "current": len(new)},
        *(
            {"figure": f"connected_parties.{role}", "current": count}
            for role, count in sorted(by_role.items())
        ),
        {"figure": "api_calls", "current": int(traffic[0])},
        {"figure": "api_errors", "current": int(traffic[1])},
        *({"figure": f"accepted_documents.{kind}", "current": int(count)} for kind, count in accepted),
        {"figure": "accepted_documents", "current": sum(int(c) for _, c in accepted)},
        {"figure": "trade_inventories", "current": trade_row["documents"]},
        {"figure": "trade_orders", "current": trade_row["orders"]},
        {"figure": "trade_value_cny", "current": trade_row["value_fen"], "money": True},
    ]
    for row in rows:
        row["current"] = money(row["current"]) if row.pop("money", False) else row["current"]
    return ResultTable(
        "platform",
        "平台运营指标",
        "Platform operating figures",
        [Column("figure"), Column("current", "number")],
        rows,
        filters.describe(),
    )


async def traffic_series(session: AsyncSession, filters: Filters, granularity: str) -> ResultTable:
    """API calls and errors, and accepted documents, per bucket."""
    calls: Counter[dt.date] = Counter()
    errors: Counter[dt.date] = Counter()
    documents: Counter[dt.date] = Counter()
    platform = PlatformRepository.from_session(session)
    for day, c, e in await platform.traffic_by_day(filters.first, filters.last):
        start = bucket_start(day, granularity)
        calls[start] += int(c)
        errors[start] += int(e)
    for day, n in await platform.accepted_by_day(filters.first, filters.last):
        documents[bucket_start(day, granularity)] += int(n)
    starts = sorted(set(calls) | set(documents))
    rows = [
        {
            "bucket": bucket_label(s, granularity),
            "calls": calls[s],
            "errors": errors[s],
            "accepted": documents[s],
        }
        for s in starts
    ]
    return ResultTable(
        "platform-traffic",
        "平台调用量",
        "Platform traffic",
        [Column("bucket"), Column("calls", "int"), Column("errors", "int"), Column("accepted", "int")],
        rows,
        filters.describe() | {"granularity": granularity},
    )
