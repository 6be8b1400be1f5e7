"""The demo generator's activity goes through the real consumer and shows up in the figures."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from services.stats.demo_data.generator import inventories, party_events, population, rate_of, to_events
from tests.stats.conftest import StatsApi


def fen(amount: Decimal) -> int:
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


async def test_generated_activity_is_counted_as_the_rules_say(stats: StatsApi) -> None:
    pop = population(40, others=10, seed=7)
    drawn = list(
        inventories(
            pop, dt.date(2026, 1, 1), dt.date(2026, 3, 31), 150, seed=3, cancel_rate=0.1, return_rate=0.1
        )
    )
    events = party_events(pop) + [e for inventory in drawn for e in to_events(inventory)]
    await stats.feed(events)  # type: ignore[arg-type]
    expected = sum(
        fen(i.value * rate_of(i.currency)) - fen(i.returned * rate_of(i.currency))
        for i in drawn
        if i.fate != "cancelled"
    )
    modes = Counter(i.mode for i in drawn if i.fate != "cancelled")
    totals = (
        await stats.get("/v1/stats/totals", params={"from": "2026-01", "to": "2026-03", "group_by": "mode"})
    ).json()["rows"]
    platform = {
        r["figure"]: r["current"]
        for r in (await stats.get("/v1/stats/platform", params={"from": "2026-01", "to": "2026-03"})).json()[
            "rows"
        ]
    }
    roles = {role for p in pop.parties for role in p.roles}
    assert sum(fen(Decimal(r["value"])) for r in totals) == expected
    assert {r["mode"]: r["documents"] for r in totals} == dict(modes)
    assert platform["accepted_documents"] == str(len(drawn))
    assert roles >= {
        "ecommerce_enterprise",
        "ecommerce_platform",
        "logistics_firm",
        "payment_institution",
        "bank",
        "overseas_warehouse_operator",
        "regulator",
    }
    assert {p.district for p in pop.parties} > {"haizhou"} and any(p.park for p in pop.parties)
