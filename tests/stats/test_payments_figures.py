"""Payments' figures in statistics: yearly RMB settlement, institution volumes (kept by revision),
the reward snapshot that reads them, and the goods–funds view of a month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from services.stats.rewards.runs.snapshot import build
from shared.events import CloudEvent, build_event
from shared.events.payments import InstitutionKind, InstitutionVolumeYear, RmbSettlementYear
from tests.stats.conftest import REGULATOR, StatsApi, enterprise
from tests.stats.support import at, facts, registered, released, uscc
from tests.stats.support import funds_month as funds

D = Decimal
NOW = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)


def rmb(party: str, amount: str, revision: int) -> CloudEvent:
    data = RmbSettlementYear(
        party_id=party, year=2026, amount_cny=D(amount), settlements=revision, revision=revision, as_of=NOW
    )
    return build_event(data, source="/ddt/payments", subject=f"rmb:{party}:2026")


def volume(party: str, amount: str, revision: int, hq: bool = True) -> CloudEvent:
    data = InstitutionVolumeYear(
        party_id=party,
        kind=InstitutionKind.PAYMENT_INSTITUTION,
        year=2026,
        volume_cny=D(amount),
        transactions=100,
        revision=revision,
        as_of=NOW,
        name="云港支付",
        headquarters_in_city=hq,
        licensed=True,
    )
    return build_event(data, source="/ddt/payments", subject=f"volume:{party}:2026")


async def _snapshot(stats: StatsApi):  # type: ignore[no-untyped-def]
    async with stats.db.transaction() as session:
        return (await build(session, 2026, {}, taken_at=NOW)).snapshot


async def test_the_highest_revision_of_a_yearly_figure_wins_whatever_the_order(stats: StatsApi) -> None:
    await stats.feed(
        [
            registered("E1", uscc=uscc(1)),
            released(facts("d1", "E1", value="100.00"), at("2026-03-01 10:00")),
            rmb("E1", "2500000.00", 2),
            rmb("E1", "1000000.00", 1),  # late and stale: ignored
        ]
    )
    snapshot = await _snapshot(stats)
    assert snapshot.enterprises[0].rmb_settlement_amount == D("2500000.00")


async def test_licensed_payment_institutions_enter_the_reward_snapshot(stats: StatsApi) -> None:
    await stats.feed(
        [
            registered("PI1", uscc=uscc(50), roles=["payment_institution"]),
            volume("PI1", "150000000.00", 3),
            volume("PI1", "90000000.00", 2),
        ]
    )
    (institution,) = (await _snapshot(stats)).payment_institutions
    assert (institution.online_volume, institution.flags["headquarters_in_city"]) == (D("150000000.00"), True)


async def test_the_goods_funds_view_flags_a_month_below_the_band_and_explains_it(stats: StatsApi) -> None:
    await stats.feed(
        [
            registered("E1", uscc=uscc(1)),
            registered("E2", uscc=uscc(2)),
            released(facts("d1", "E1", value="10000.00"), at("2026-09-03 10:00")),
            released(facts("d2", "E2", value="5000.00"), at("2026-09-05 10:00")),
            funds("E1", "2026-09", "6000.00", "6000.00"),
            funds("E2", "2026-09", "5100.00", "5000.00", held=1),
        ]
    )
    view = (await stats.get("/v1/stats/goods-funds?month=2026-09", REGULATOR)).json()
    rows = {r["party_id"]: r for r in view["items"]}
    assert (rows["E1"]["export_ratio"], rows["E1"]["flagged"]) == ("0.6000", True)
    assert rows["E1"]["reasons"][0]["code"] == "export_funds_below_band"
    assert "4,000.00" in rows["E1"]["reasons"][0]["en"] and "4,000.00" in rows["E1"]["reasons"][0]["zh"]
    assert (rows["E2"]["flagged"], [r["code"] for r in rows["E2"]["reasons"]]) == (
        False,
        ["funds_not_matched_to_goods", "held_for_registration"],
    )
    assert (view["enterprises"], view["flagged"]) == (2, 1)
    only_flagged = (await stats.get("/v1/stats/goods-funds?month=2026-09&flagged=true", REGULATOR)).json()
    assert [r["party_id"] for r in only_flagged["items"]] == ["E1"]


async def test_an_enterprise_sees_only_its_own_month(stats: StatsApi) -> None:
    await stats.feed([funds("E1", "2026-09", "10.00", "10.00"), funds("E2", "2026-09", "20.00", "0")])
    mine = (await stats.get("/v1/stats/goods-funds?month=2026-09", enterprise("E1"))).json()
    assert [r["party_id"] for r in mine["items"]] == ["E1"]


async def test_money_without_declared_exports_is_flagged(stats: StatsApi) -> None:
    await stats.feed([funds("E9", "2026-09", "800.00", "0")])
    (row,) = (await stats.get("/v1/stats/goods-funds?month=2026-09", REGULATOR)).json()["items"]
    assert row["flagged"] and row["reasons"][0]["code"] == "export_funds_without_goods"


async def test_a_malformed_month_is_refused_at_the_parameter(stats: StatsApi) -> None:
    answer = await stats.get("/v1/stats/goods-funds?month=2026-13", REGULATOR)
    assert answer.status_code == 422 and answer.json()["errors"][0]["pointer"] == "/query/month"


async def test_year_zero_is_refused_at_the_parameter_not_a_500(stats: StatsApi) -> None:
    # Found by the fuzzer (tests/fuzz): month=0000-01 matched the pattern and crashed date().
    answer = await stats.get("/v1/stats/goods-funds?month=0000-01", REGULATOR)
    assert answer.status_code == 422 and answer.json()["errors"][0]["pointer"] == "/query/month"
