"""Logistics in the statistics: each shipment's transit figures (kept by revision) in the
regulator's view by mode and route, the logistics costs per enterprise (corrections and voids
applied), and the logistics subsidy a reward run pays on them (hand-computed)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, get_args

from hypothesis import given
from hypothesis import strategies as st

from services.stats.logistics.rules import ROUTE_NAMES, percentile, share_percent
from services.stats.rewards import EXAMPLE_POLICY_PATH
from shared.events import CloudEvent, build_event
from shared.events.logistics import ExceptionCount, JourneyFigures, LogisticsCostRecorded, RouteCode
from tests.stats.conftest import StatsApi, enterprise
from tests.stats.support import at, facts, registered, released, uscc

D = Decimal
UTC = dt.UTC
FINAL_POLICY = (
    EXAMPLE_POLICY_PATH.read_text("utf-8")
    .replace("status: example", "status: final")
    .replace("policy_id: lyg-cbec-rewards-2026-example", "policy_id: lyg-cbec-rewards-2026-log")
)


def journey(
    shipment: str,
    *,
    revision: int = 1,
    party: str = "E1",
    mode: str = "sea",
    route: str = "ferry_lyg_inc",
    started: str | None = "2026-03-02 08:00",
    transit: str | None = None,
    customs: str | None = None,
    punctuality: str = "unknown",
    exceptions: dict[str, int] | None = None,
    carrier: str | None = None,
) -> CloudEvent:
    start = at(started) if started else None
    delivered = start + dt.timedelta(hours=float(transit)) if start and transit else None
    values: dict[str, Any] = {
        "shipment_id": shipment,
        "revision": revision,
        "direction": "export",
        "customs_mode": "9610",
        "mode": mode,
        "route": route,
        "enterprise_party_id": party,
        "carrier_code": carrier,
        "status": "delivered" if delivered else "in_transit",
        "started_at": start,
        "delivered_at": delivered,
        "transit_hours": D(transit) if transit else None,
        "customs_hours": D(customs) if customs else None,
        "punctuality": punctuality,
        "exceptions": [ExceptionCount(kind=k, count=n) for k, n in (exceptions or {}).items()],  # type: ignore[arg-type]
        "occurred_at": dt.datetime(2026, 3, 10, tzinfo=UTC),
    }
    return build_event(JourneyFigures(**values), source="/ddt/logistics", subject=shipment)


def cost(
    cost_id: str,
    amount_cny: str,
    *,
    party: str = "E1",
    kind: str = "international_freight",
    day: str = "2026-04-01",
    supersedes: str | None = None,
    voided: bool = False,
    shipment: str = "S1",
) -> CloudEvent:
    data = LogisticsCostRecorded(
        cost_id=cost_id,
        shipment_id=shipment,
        kind=kind,  # type: ignore[arg-type]
        amount=D(amount_cny),
        currency="CNY",
        amount_cny=D(amount_cny),
        cny_rate=D("1"),
        incurred_on=day,
        enterprise_party_id=party,
        recorded_by_party_id="carrier-1",
        supersedes=supersedes,
        voided=voided,
        occurred_at=dt.datetime(2026, 4, 2, tzinfo=UTC),
    )
    return build_event(data, source="/ddt/logistics", subject=shipment)


async def test_the_highest_revision_of_a_journey_stands_however_events_arrive(stats: StatsApi) -> None:
    await stats.feed([journey("S1", revision=2, transit="50"), journey("S1", revision=1)])  # late, stale
    (route,) = (await stats.get("/v1/stats/logistics/transit?period=2026-03")).json()["routes"]
    assert (route["delivered"], route["transit_hours_p50"]) == (1, "50.0")


async def test_the_transit_view_gives_nearest_rank_percentiles_per_route(stats: StatsApi) -> None:
    """Ferry, delivered in 30, 40, 50 and 100 hours, one still open: p50 = 40 (rank 2 of 4),
    p90 = 100 (rank 4); customs 2, 6 and 10 hours: median 6; on time 2 of 3 timed = 66.7 %."""
    await stats.feed(
        [
            journey("S1", transit="30", customs="2", punctuality="on_time"),
            journey("S2", transit="40", customs="6", punctuality="on_time"),
            journey("S3", transit="50", customs="10", punctuality="late", exceptions={"customs_held": 1}),
            journey("S4", transit="100"),
            journey("S5", exceptions={"delayed": 2, "customs_held": 1}),
            journey("R1", mode="rail", route="rail_khorgos", transit="300"),
        ]
    )
    body = (await stats.get("/v1/stats/logistics/transit?period=2026")).json()
    ferry, rail = body["routes"]
    assert (body["shipments"], rail["route"], rail["name_zh"]) == (6, "rail_khorgos", "中欧班列（霍尔果斯）")
    assert {k: ferry[k] for k in ferry if k not in ("mode", "route", "name_en", "name_zh")} == {
        "shipments": 5,
        "delivered": 4,
        "open": 1,
        "transit_hours_p50": "40.0",
        "transit_hours_p90": "100.0",
        "customs_hours_p50": "6.0",
        "on_time_percent": "66.7",
        "with_exceptions": 2,
        "exceptions": {"customs_held": 2, "delayed": 2},
    }


async def test_a_journey_counts_in_the_beijing_month_it_started(stats: StatsApi) -> None:
    await stats.feed([journey("S1", started="2026-04-01 00:30")])  # 2026-03-31 16:30 UTC
    assert (await stats.get("/v1/stats/logistics/transit?period=2026-04")).json()["shipments"] == 1
    assert (await stats.get("/v1/stats/logistics/transit?period=2026-03")).json()["shipments"] == 0


async def test_an_enterprise_sees_only_its_own_journeys_and_costs(stats: StatsApi) -> None:
    await stats.feed([journey("S1", party="E1"), journey("S2", party="E2"), cost("C1", "10.00", party="E2")])
    own = (await stats.get("/v1/stats/logistics/transit?period=2026-03", enterprise("E1"))).json()
    assert own["shipments"] == 1
    costs = (await stats.get("/v1/stats/logistics/costs?year=2026", enterprise("E1"))).json()
    assert costs["enterprises"] == []


async def test_a_malformed_period_is_refused_at_the_parameter(stats: StatsApi) -> None:
    response = await stats.get("/v1/stats/logistics/transit?period=2026-13")
    assert response.status_code == 422 and response.json()["errors"][0]["pointer"] == "/query/period"


async def test_corrections_replace_and_voids_remove_costs_in_any_order(stats: StatsApi) -> None:
    """C1 800 corrected by C2 1,000 (delivered first); C3 500 voided by C4; C5 domestic 200;
    C6 in 2025: international freight 2026 = 1,000.00, other = 200.00, over S1 and S2."""
    await stats.feed(
        [
            cost("C2", "1000.00", supersedes="C1"),
            cost("C1", "800.00"),
            cost("C3", "500.00", shipment="S2"),
            cost("C4", "500.00", shipment="S2", supersedes="C3", voided=True),
            cost("C5", "200.00", kind="domestic_freight"),
            cost("C6", "999.00", day="2025-12-31"),
            cost("C1", "800.00"),  # redelivered
        ]
    )
    body = (await stats.get("/v1/stats/logistics/costs?year=2026")).json()
    assert body["enterprises"] == [
        {"party_id": "E1", "international_freight_cny": "1000.00", "other_cny": "200.00", "shipments": 1}
    ]


async def test_a_reward_run_pays_the_logistics_subsidy_on_the_years_international_freight(
    stats: StatsApi,
) -> None:
    """Example policy item LOG: transaction value 2,000,000.00 ≥ 1 m selects 3 %;
    international freight 2026 = 60,000.00 + 40,000.00 (a correction of 30,000.00) = 100,000.00;
    3 % × 100,000.00 = 3,000.00, below the 200,000 cap."""
    await stats.feed(
        [
            registered("E1", uscc=uscc(7)),
            released(facts("d1", "E1", value="2000000.00"), at("2026-03-01 10:00")),
            cost("C1", "60000.00"),
            cost("C2", "30000.00", shipment="S2"),
            cost("C3", "40000.00", shipment="S2", supersedes="C2"),
        ]
    )
    policy = await stats.post("/v1/stats/rewards/policies", json={"format": "yaml", "content": FINAL_POLICY})
    assert policy.status_code == 201, policy.text
    run = await stats.post(
        "/v1/stats/rewards/runs",
        json={"policy": policy.json()["sha256"], "flags": {"E1": {"uses_local_logistics": True}}},
    )
    assert run.status_code in (200, 201), run.text
    subject = (await stats.get(f"/v1/stats/rewards/runs/{run.json()['runId']}/subjects/enterprise:E1")).json()
    (log,) = [item for item in subject["items"] if item["item_id"] == "LOG"]
    assert D(log["amount"]) == D("3000.00")


@given(st.lists(st.decimals(min_value=0, max_value=10_000, places=1), min_size=1, max_size=50))
def test_a_percentile_is_one_of_the_values_and_grows_with_its_share(values: list[Decimal]) -> None:
    p50, p90 = percentile(values, 50), percentile(values, 90)
    assert p50 in values and p90 in values and p50 is not None and p90 is not None and p50 <= p90


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=1, max_value=10_000))
def test_a_share_is_between_0_and_100_percent(part: int, extra: int) -> None:
    share = share_percent(part, part + extra)
    assert share is not None and D(0) <= share <= D(100)


def test_every_route_of_the_contract_has_a_name() -> None:
    assert set(ROUTE_NAMES) == set(get_args(RouteCode))
