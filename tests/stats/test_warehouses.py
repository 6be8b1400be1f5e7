"""Overseas warehouses in the statistics: profiles and monthly reports from the logistics
events, the certification criteria, the regulator's decisions, and the support they earn in a
reward run (hand-computed amounts)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from services.stats.rewards import EXAMPLE_POLICY_PATH
from shared.events import CloudEvent, build_event
from shared.events.warehousing import (
    WarehouseFacts,
    WarehouseMonthFigures,
    WarehouseMonthReported,
    WarehouseProfiled,
)
from tests.stats.conftest import REGULATOR, StatsApi, enterprise
from tests.stats.support import registered, uscc

UTC = dt.UTC
OPERATOR_ROLES = ["overseas_warehouse_operator"]
FINAL_POLICY = (
    EXAMPLE_POLICY_PATH.read_text("utf-8")
    .replace("status: example", "status: final")
    .replace("policy_id: lyg-cbec-rewards-2026-example", "policy_id: lyg-cbec-rewards-2026-wh")
)


def profiled(warehouse: str, operator: str, revision: int = 1, **overrides: Any) -> CloudEvent:
    values: dict[str, Any] = {
        "warehouse_id": warehouse,
        "operator_party_id": operator,
        "code": warehouse,
        "name": f"{warehouse} 公共海外仓",
        "country": "DE",
        "city": "Frankfurt am Main",
        "area_m2": Decimal("12000"),
        "opened_on": dt.date(2022, 5, 1),
        "usage": "public",
        "has_api": True,
    }
    values.update(overrides)
    data = WarehouseProfiled(
        warehouse=WarehouseFacts(**values), revision=revision, occurred_at=dt.datetime(2026, 1, 1, tzinfo=UTC)
    )
    return build_event(data, source="/ddt/logistics", subject=warehouse)


def month(
    warehouse: str,
    operator: str,
    when: str,
    *,
    revision: int = 1,
    complete: bool = True,
    orders: int = 500,
    customers: int = 4,
    area_used: str | None = None,
    age: str | None = None,
) -> CloudEvent:
    figures = WarehouseMonthFigures(
        inbound_asns=2,
        inbound_units=1000,
        inbound_damaged_units=3,
        inbound_short_units=1,
        inbound_over_units=0,
        outbound_orders=orders,
        outbound_b2c_orders=orders,
        outbound_b2b_orders=0,
        outbound_units=orders * 2,
        cancelled_orders=1,
        customers_served=customers,
        skus_in_stock=12,
        units_on_hand=800,
        stock_volume_m3=Decimal("3.2"),
        area_m2=Decimal("12000"),
        area_used_m2=Decimal(area_used) if area_used else None,
        average_age_days=Decimal(age) if age else None,
    )
    data = WarehouseMonthReported(
        warehouse_id=warehouse,
        operator_party_id=operator,
        month=when,
        revision=revision,
        filed_by="platform",
        complete=complete,
        figures=figures,
        occurred_at=dt.datetime(2026, 11, 1, tzinfo=UTC),
    )
    return build_event(data, source="/ddt/logistics", subject=f"{warehouse}:{when}")


async def test_the_highest_revision_of_a_month_stands_however_events_arrive(stats: StatsApi) -> None:
    assert await stats.feed(
        [
            profiled("WH1", "OP1"),
            month("WH1", "OP1", "2026-03", revision=2, orders=700),
            month("WH1", "OP1", "2026-03", revision=1, orders=100),  # late and stale
        ]
    ) == ["applied", "applied", "applied"]
    detail = (await stats.get("/v1/stats/warehouses/WH1")).json()
    assert [(m["month"], m["revision"], m["figures"]["outbound_orders"]) for m in detail["months"]] == [
        ("2026-03", 2, 700)
    ]


async def test_the_criteria_are_evaluated_from_the_profile_and_the_reports(stats: StatsApi) -> None:
    events = [profiled("WH1", "OP1")] + [month("WH1", "OP1", f"2026-{m:02d}") for m in range(1, 12)]
    await stats.feed(events)
    detail = (await stats.get("/v1/stats/warehouses/WH1")).json()
    municipal, provincial = detail["evaluation"]
    assert municipal["met"] is True and detail["criteria_status"] == "example"
    by_id = {c["id"]: c for c in provincial["checks"]}
    # 11 months filed, max 4 customers: provincial needs 10 customers
    assert (by_id["reports-filed"]["figure"], by_id["reports-filed"]["met"]) == ("11", True)
    assert (by_id["customers"]["figure"], by_id["customers"]["met"]) == ("4", False)


async def test_only_regulators_assess_and_a_certification_names_its_day(stats: StatsApi) -> None:
    await stats.feed([profiled("WH1", "OP1")])
    path = "/v1/stats/warehouses/WH1/assessments"
    body = {"level": "municipal", "decision": "certified", "year": 2026, "basis": "连商务〔2026〕12号"}
    missing = await stats.post(path, json=body)
    assert missing.status_code == 422 and missing.json()["errors"][0]["pointer"] == "/body/certified_on"
    refused = await stats.post(path, enterprise("OP1"), json={**body, "certified_on": "2026-06-30"})
    assert refused.status_code == 403
    made = await stats.post(path, json={**body, "certified_on": "2026-06-30"})
    assert made.status_code == 201 and made.json()["checks"]
    listed = (await stats.get("/v1/stats/warehouses")).json()["items"]
    assert listed[0]["certified_level"] == "municipal"


async def test_an_operator_sees_only_its_own_warehouses(stats: StatsApi) -> None:
    from shared.identity import Identity

    await stats.feed([profiled("WH1", "OP1"), profiled("WH2", "OP2")])
    op1 = Identity(party_id="OP1", roles=OPERATOR_ROLES)
    assert [w["warehouse_id"] for w in (await stats.get("/v1/stats/warehouses", op1)).json()["items"]] == [
        "WH1"
    ]
    assert (await stats.get("/v1/stats/warehouses/WH2", op1)).status_code == 404
    assert (await stats.get("/v1/stats/warehouses", enterprise("E1"))).status_code == 403


async def test_monthly_totals_for_the_regulator(stats: StatsApi) -> None:
    await stats.feed(
        [
            profiled("WH1", "OP1"),
            profiled("WH2", "OP2"),
            month("WH1", "OP1", "2026-02", orders=300),
            month("WH2", "OP2", "2026-02", orders=200, complete=False),
        ]
    )
    body = (await stats.get("/v1/stats/warehouses/figures?year=2026")).json()
    assert body["months"] == [
        {
            "month": "2026-02",
            "warehouses": 2,
            "provisional": 1,
            "inbound_units": 2000,
            "outbound_orders": 500,
            "outbound_units": 1000,
            "returns_received": 0,
            "customers_served": 8,
            "units_on_hand": 1600,
        }
    ]


async def test_each_warehouses_year_adds_its_months_and_takes_area_and_age_from_the_latest(
    stats: StatsApi,
) -> None:
    """WH1 (public, 12,000 m²) filed February (300 orders, 9,000 m² used, 40.25 days) and March
    (200 orders, 7,500 m² used, 35.44 days): 2 × 1,000 units in, 500 orders and 1,000 units out;
    area use 7,500 / 12,000 = 62.5 %, age 35.4 days (March). WH2 (own use) filed nothing."""
    await stats.feed(
        [
            profiled("WH1", "OP1"),
            profiled("WH2", "OP2", usage="own"),
            month("WH1", "OP1", "2026-03", orders=200, area_used="7500", age="35.44"),
            month("WH1", "OP1", "2026-02", orders=300, area_used="9000", age="40.25"),
        ]
    )
    body = (await stats.get("/v1/stats/warehouses/figures?year=2026")).json()
    first, second = body["items"]
    assert {k: first[k] for k in first if k not in ("name", "country", "city", "operator_party_id")} == {
        "warehouse_id": "WH1",
        "usage": "public",
        "certified_level": None,
        "months_reported": 2,
        "inbound_units": 2000,
        "outbound_orders": 500,
        "outbound_units": 1000,
        "returns_received": 0,
        "latest_month": "2026-03",
        "area_m2": "12000.00",
        "area_used_m2": "7500.00",
        "area_use_percent": "62.5",
        "units_on_hand": 800,
        "average_age_days": "35.4",
    }
    assert (body["warehouses"], body["public"], second["months_reported"], second["area_use_percent"]) == (
        2,
        1,
        0,
        None,
    )


async def test_certified_warehouses_earn_their_support_in_a_reward_run(stats: StatsApi) -> None:
    """Hand-computed, example policy item OW (levels 300,000 / 500,000, ≥ 6 complete months):

    * OP1: WH1 certified municipal (2026-03-01) and provincial (2026-09-01), 7 months filed →
      one warehouse at two levels is paid once, at the higher: 500,000.00;
    * OP2: WH2 certified municipal in 2026 but only 3 months filed → not eligible: 0;
    * OP3: WH3 certified municipal on 2025-12-01 (outside 2026), 8 months filed → 0;
    * OP4: WH4 and WH5 both municipal in 2026, 6 months filed → 300,000 + 300,000 = 600,000.00.
    Demand 1,100,000.00 ≤ budget 8,000,000: paid in full; none reaches the 800,000 subject cap.
    """
    events: list[CloudEvent] = []
    for n, (operator, warehouses, months) in enumerate(
        [("OP1", ["WH1"], 7), ("OP2", ["WH2"], 3), ("OP3", ["WH3"], 8), ("OP4", ["WH4", "WH5"], 6)], start=1
    ):
        events.append(registered(operator, uscc=uscc(100 + n), roles=OPERATOR_ROLES))
        for warehouse in warehouses:
            events.append(profiled(warehouse, operator))
            events += [month(warehouse, operator, f"2026-{m:02d}") for m in range(1, months + 1)]
    await stats.feed(events)
    for warehouse, level, day in [
        ("WH1", "municipal", "2026-03-01"),
        ("WH1", "provincial", "2026-09-01"),
        ("WH2", "municipal", "2026-05-01"),
        ("WH3", "municipal", "2025-12-01"),
        ("WH4", "municipal", "2026-04-01"),
        ("WH5", "municipal", "2026-04-02"),
    ]:
        body = {
            "level": level,
            "decision": "certified",
            "year": int(day[:4]),
            "certified_on": day,
            "basis": "认定名单",
        }
        assert (
            await stats.post(f"/v1/stats/warehouses/{warehouse}/assessments", json=body)
        ).status_code == 201
    policy = await stats.post("/v1/stats/rewards/policies", json={"format": "yaml", "content": FINAL_POLICY})
    assert policy.status_code == 201, policy.text
    run = (await stats.post("/v1/stats/rewards/runs", json={"policy": policy.json()["sha256"]})).json()
    rows = (await stats.get(f"/v1/stats/rewards/runs/{run['runId']}/amounts")).json()["rows"]
    finals = {
        r["subject_key"]: Decimal(r["final"]) for r in rows if r["subject_key"].startswith("enterprise:")
    }
    assert finals == {
        "enterprise:OP1": Decimal("500000.00"),
        "enterprise:OP2": Decimal("0.00"),
        "enterprise:OP3": Decimal("0.00"),
        "enterprise:OP4": Decimal("600000.00"),
    }
    assert Decimal(run["total"]) == Decimal("1100000.00")


async def test_a_withdrawn_certification_earns_nothing(stats: StatsApi) -> None:
    await stats.feed(
        [registered("OP1", uscc=uscc(201), roles=OPERATOR_ROLES), profiled("WH1", "OP1")]
        + [month("WH1", "OP1", f"2026-{m:02d}") for m in range(1, 8)]
    )
    base = {"level": "municipal", "year": 2026, "basis": "认定名单"}
    path = "/v1/stats/warehouses/WH1/assessments"
    await stats.post(path, json={**base, "decision": "certified", "certified_on": "2026-03-01"})
    await stats.post(path, REGULATOR, json={**base, "decision": "withdrawn", "basis": "撤销认定"})
    policy = await stats.post("/v1/stats/rewards/policies", json={"format": "yaml", "content": FINAL_POLICY})
    run = (await stats.post("/v1/stats/rewards/runs", json={"policy": policy.json()["sha256"]})).json()
    rows = (await stats.get(f"/v1/stats/rewards/runs/{run['runId']}/amounts")).json()["rows"]
    assert {r["subject_key"]: r["final"] for r in rows if r["subject_key"].startswith("enterprise:")} == {
        "enterprise:OP1": "0.00"
    }
