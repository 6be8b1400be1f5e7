"""The embedded carrier simulator against the running service: it plays each leg in its
carrier's native format over HTTP through the public push routes (identity token and all),
ends delivered on the last leg, gives the configured mishaps, and after a restart mid-journey
goes on without a duplicate event."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from services.logistics.app import create_app
from services.logistics.simulator.journeys import Rates
from services.logistics.simulator.models import SimulatedLeg
from services.logistics.simulator.repository import SimulatorRepository
from services.logistics.simulator.service import CarrierSimulator, SimulatorConfig, journey_of
from services.logistics.tracking.models import TrackingEvent
from shared.sqltypes import utcnow
from tests.logistics.support import (
    CARRIER,
    ENTERPRISE,
    LogisticsApi,
    awb,
    logistics_settings,
    new_tag,
    registered,
    s10,
    waybill_accepted,
)
from tests.support.infra import create_pg_database, drop_pg_database, free_port
from tests.support.services import SIGNER, served

QUIET = Rates(0, 0, 0, 0)


def simulator(api: LogisticsApi, rates: Rates = QUIET, scale: float = 0.0, seed: int = 5) -> CarrierSimulator:
    """A simulator pushing to the test app over its HTTP client, as the embedded one does to its port."""
    return CarrierSimulator(
        api.db, api.client, SIGNER, SimulatorConfig(seed=seed, rates=rates, delay_scale=scale)
    )


async def _until_done(sim: CarrierSimulator, now: dt.datetime | None = None) -> None:
    # A pass starts the legs whose predecessors finished; a few passes finish a shipment. A later
    # leg starts a few seconds after the handover (its steps are stamped back from their due
    # times): each pass looks a minute further ahead, within the service's future tolerance (15).
    for minutes in range(1, 7):
        await sim.run_once(now or utcnow() + dt.timedelta(minutes=minutes))


async def _rows(api: LogisticsApi, shipment_id: str) -> list[SimulatedLeg]:
    async with api.db.transaction() as session:
        return (await SimulatorRepository(session).of_shipments([shipment_id]))[shipment_id]


async def _made(api: LogisticsApi, legs: list[dict[str, Any]]) -> dict[str, Any]:
    tag = new_tag()
    body = {
        "direction": "export",
        "order_no": f"SIM{tag}",
        "ebc_code": ENTERPRISE.codes[0].code,
        "legs": legs,
    }
    made = await api.post("/v1/logistics/shipments", CARRIER, json=body)
    assert made.status_code == 201, made.text
    return made.json()  # type: ignore[no-any-return]


def _leg(role: str, mode: str, number: str, **extra: Any) -> dict[str, Any]:
    return {
        "role": role,
        "mode": mode,
        "carrier_code": CARRIER.codes[0].code,
        "tracking_number": number,
        **extra,
    }


async def test_a_two_leg_shipment_plays_native_formats_and_ends_delivered_on_the_last_leg(
    api: LogisticsApi,
) -> None:
    tag = new_tag()
    made = await _made(
        api,
        [
            _leg("first_mile", "express", f"KD{tag}"),
            _leg(
                "linehaul", "sea", f"LYGK{tag}", origin={"locode": "CNLYG"}, destination={"locode": "KRINC"}
            ),
        ],
    )
    sim = simulator(api)
    await _until_done(sim)
    shipment = (await api.get(f"/v1/logistics/shipments/{made['id']}", CARRIER)).json()
    assert shipment["status"] == "delivered", [
        (r.outcome, r.steps_sent, r.note, r.started_at) for r in await _rows(api, made["id"])
    ]
    assert [leg["status"] for leg in shipment["legs"]] == ["delivered", "delivered"]
    assert shipment["route"] == "ferry_lyg_inc"
    timeline = await api.timeline(made["id"])
    sources = [e["source"] for e in timeline]
    assert set(sources) == {"kdniao", "dcsa"}
    assert "EQUIPMENT:GTIN" in [e["raw_code"] for e in timeline]
    rows = await _rows(api, made["id"])
    assert [(r.source, r.outcome) for r in rows] == [("kdniao", "delivered"), ("dcsa", "delivered")]
    # Every step of both journeys is one stored event: Kdniao resent its whole trace list each time.
    assert len(timeline) == sum(len(r.journey["steps"]) for r in rows)
    # The first leg was handed over before the ferry's first event.
    first_end = max(e["occurred_at"] for e in timeline if e["source"] == "kdniao")
    assert first_end <= min(e["occurred_at"] for e in timeline if e["source"] == "dcsa")


async def test_an_import_waybill_is_played_in_kdniao_and_its_delivery_files_the_signed_for(
    api: LogisticsApi,
) -> None:
    tag = new_tag()
    await api.feed([waybill_accepted(tag, direction="import", mode="9610")])
    await _until_done(simulator(api))
    shipment = await api.shipment_of(tag)
    assert (shipment["status"], shipment["legs"][0]["mode"]) == ("delivered", "express")
    timeline = await api.timeline(shipment["id"])
    assert {e["source"] for e in timeline} == {"kdniao"}
    assert [e["raw_code"] for e in timeline][-1] == "301"
    reached = await api.published("ddt.logistics.milestone.reached", shipment["id"])
    assert [e.data["message_type"] for e in reached] == ["CEB513"]


async def test_the_same_seed_gives_the_same_journey(api: LogisticsApi) -> None:
    made = await _made(api, [_leg("linehaul", "air", awb(int(new_tag()[:5], 16)))])
    sim = simulator(api, seed=11)
    await _until_done(sim)
    rows = await _rows(api, made["id"])
    async with api.db.transaction() as session:
        legs = await SimulatorRepository(session).legs([rows[0].leg_id])
    again = journey_of(SimulatorConfig(seed=11, rates=QUIET), legs[rows[0].leg_id])
    assert rows[0].journey == json.loads(json.dumps(again.to_json()))
    assert journey_of(SimulatorConfig(seed=12, rates=QUIET), legs[rows[0].leg_id]) != again
    codes = [e["raw_code"] for e in await api.timeline(made["id"])]
    assert codes[:4] == ["BKD", "RCS", "MAN", "DEP"] and codes[-1] == "DLV"


async def test_loss_damage_and_hold_at_rate_one(api: LogisticsApi) -> None:
    lost = await _made(api, [_leg("linehaul", "rail", f"CRCT{new_tag()}", origin={"locode": "CNLYG"})])
    await _until_done(simulator(api, Rates(0, 0, 0, 1)))
    shipment = (await api.get(f"/v1/logistics/shipments/{lost['id']}", CARRIER)).json()
    assert (shipment["status"], shipment["sub_status"]) == ("exception", "lost")
    assert (await _rows(api, lost["id"]))[0].outcome == "lost"

    damaged = await _made(api, [_leg("linehaul", "express", f"KD{new_tag()}")])
    await _until_done(simulator(api, Rates(0, 0, 1, 0)))
    timeline = await api.timeline(damaged["id"])
    assert ("414", "damaged") in [(e["raw_code"], e["sub_status"]) for e in timeline]
    assert timeline[-1]["status"] == "delivered"

    held = await _made(api, [_leg("linehaul", "post", s10(int(new_tag()[:6], 16)))])
    await _until_done(simulator(api, Rates(0, 1, 0, 0)))
    timeline = await api.timeline(held["id"])
    codes = [e["raw_code"] for e in timeline]
    assert codes.index("EME") == codes.index("EDC") - 1
    assert "customs_held" in [e["sub_status"] for e in timeline] and codes[-1] == "EMI"


async def test_a_restart_mid_journey_goes_on_without_a_duplicate_event(api: LogisticsApi) -> None:
    made = await _made(api, [_leg("linehaul", "post", s10(int(new_tag()[:6], 16)))])
    # Real durations (scale 1) started forty days ago, so every step's time is already past.
    start = utcnow().replace(microsecond=0) - dt.timedelta(days=40)
    first = simulator(api, scale=1.0)
    await first.run_once(start)
    await first.run_once(start)
    [row] = await _rows(api, made["id"])
    steps = row.journey["steps"]
    assert 0 < row.steps_sent < len(steps)
    middle = start + dt.timedelta(hours=steps[4][1], seconds=1)
    await first.run_once(middle)
    [row] = await _rows(api, made["id"])
    assert row.steps_sent == 5
    # A crash after the pushes and before their row was updated: the steps go out again.
    async with api.db.transaction() as session:
        await session.execute(
            update(SimulatedLeg).where(SimulatedLeg.leg_id == row.leg_id).values(steps_sent=2)
        )
    restarted = simulator(api, scale=1.0, seed=999)  # new settings do not change a journey under way
    report = await restarted.run_once(middle)
    assert report.steps == 3
    assert len(await api.timeline(made["id"])) == 5
    await _until_done(restarted)
    [row] = await _rows(api, made["id"])
    timeline = await api.timeline(made["id"])
    assert (row.outcome, len(timeline)) == ("delivered", len(steps))
    assert len({e["id"] for e in timeline}) == len(steps)
    assert [e["raw_code"] for e in timeline][-1] == "EMI"


async def test_a_leg_its_carrier_already_reports_is_left_to_it(api: LogisticsApi) -> None:
    tag = new_tag()
    made = await _made(api, [_leg("linehaul", "express", f"KD{tag}")])
    trace = {"AcceptTime": "2026-05-02 09:00:00", "AcceptStation": "揽收", "Action": "1"}
    data = {
        "EBusinessID": "1",
        "Count": "1",
        "Data": [{"ShipperCode": "SF", "LogisticCode": f"KD{tag}", "Traces": [trace]}],
    }
    assert (await api.push("kdniao", data, CARRIER)).status_code == 200
    await _until_done(simulator(api))
    assert [r.outcome for r in await _rows(api, made["id"])] == ["skipped"]
    assert len(await api.timeline(made["id"])) == 1


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def own_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database of its own: the served app's simulator plays every leg it finds."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'simulated.db'}"
        return
    url = await create_pg_database("ddt_logistics_sim")
    try:
        yield url
    finally:
        await drop_pg_database(url)


async def test_the_embedded_simulator_runs_in_the_service_and_pushes_to_its_port(own_db_url: str) -> None:
    port = free_port()
    settings = logistics_settings(
        own_db_url,
        port=port,
        carrier_simulator_enabled=True,
        carrier_simulator_delay_scale=0.0,
        carrier_simulator_poll_seconds=0.05,
        carrier_simulator_loss_rate=0.0,
    )
    app = create_app(settings)
    async with served(app, port) as base_url, httpx.AsyncClient(base_url=base_url) as client:
        service = LogisticsApi(app, client)
        await service.feed([registered(CARRIER, 1), registered(ENTERPRISE, 2)])
        tag = new_tag()
        await service.feed([waybill_accepted(tag, direction="import", mode="9610")])
        status = None
        for _ in range(400):  # the background task's passes, every 50 ms
            status = (await service.shipment_of(tag))["status"]
            if status == "delivered":
                break
            await asyncio.sleep(0.05)
        assert status == "delivered"
        shipment = await service.shipment_of(tag)
        timeline = await service.timeline(shipment["id"])
        assert {e["source"] for e in timeline} == {"kdniao"}
        # Pushed as the carrier party holding the leg's code, through the route's identity check.
        async with service.db.transaction() as session:
            pushers = set(
                await session.scalars(
                    select(TrackingEvent.pushed_by_party_id).where(
                        TrackingEvent.shipment_id == shipment["id"]
                    )
                )
            )
        assert pushers == {CARRIER.party_id}
