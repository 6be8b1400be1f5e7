"""The simulator's warehouses and carriers' claims desks against the running service: it
receives ASNs with the discrepancies it drew, fulfils reserved orders with a last-mile
number, decides claims as drawn (asking for documents and waiting for them), all through the
public routes with an identity token naming the operator or carrier; a restart sends the
same steps again and nothing is applied twice. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from sqlalchemy import func, select, update

from services.logistics.inbound.models import InboundReceipt
from services.logistics.simulator.models import SimulatedTask
from services.logistics.simulator.operations import OperationRates
from services.logistics.simulator.warehouses import OperationsConfig, WarehouseSimulator
from services.logistics.stock.models import StockMovement
from tests.logistics import support as tracking
from tests.logistics.support import CARRIER, ENTERPRISE, new_tag, registered
from tests.logistics.warehousing.conftest import MERCHANT, LogisticsApi
from tests.logistics.warehousing.support import a_product, a_warehouse, asn_body, order_body, put_away
from tests.support.services import SIGNER

CALM = OperationRates(discrepancy=0, unsellable=0, documents=0, reject=0, partial=0)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def simulator(api: LogisticsApi, rates: OperationRates = CALM, **config: Any) -> WarehouseSimulator:
    """A simulator calling the test app over its HTTP client, at scale 0 (every step at once)."""
    config.setdefault("delay_scale", 0.0)
    settings = OperationsConfig(seed=7, rates=rates, **config)
    return WarehouseSimulator(api.db, api.client, SIGNER, settings)


async def _task(api: LogisticsApi, kind: str, object_id: str) -> SimulatedTask:
    async with api.db.transaction() as session:
        task = await session.get(SimulatedTask, (kind, object_id))
    assert task is not None
    return task


async def _asn(api: LogisticsApi) -> tuple[str, dict[str, Any]]:
    warehouse = (await a_warehouse(api))["id"]
    await a_product(api)
    asn = await api.ok(
        "POST", "/v1/logistics/inbound", MERCHANT, 201, json=asn_body(warehouse, declarations=[])
    )
    return warehouse, asn


async def test_an_asn_is_received_with_the_discrepancies_drawn_and_put_away(api: LogisticsApi) -> None:
    _warehouse, asn = await _asn(api)
    await simulator(api, replace(CALM, discrepancy=1)).run_once()
    task = await _task(api, "asn", asn["id"])
    drawn = task.plan["discrepancies"]
    shown = await api.ok("GET", f"/v1/logistics/inbound/{asn['id']}", MERCHANT)
    # The service compares per SKU, so the boxes' drawn lines of one SKU add up (a short box
    # and an over box may cancel): what it shows is the sum of what the simulator counted.
    counted = [(sum(d["received"] for d in drawn), sum(d["damaged"] for d in drawn))]
    assert (
        shown["status"],
        task.outcome,
        len(drawn),
        [(d["received"], d["damaged"]) for d in shown["discrepancies"]] or [(100, 0)],
    ) == (
        "completed",
        "done",
        2,
        counted,
    )


async def test_a_reserved_order_is_picked_packed_and_shipped_with_a_last_mile_number(
    api: LogisticsApi,
) -> None:
    warehouse = (await a_warehouse(api))["id"]
    product = (await a_product(api))["id"]
    await put_away(api, warehouse, product, 10)
    order = await api.ok("POST", "/v1/logistics/outbound", MERCHANT, 201, json=order_body(warehouse))
    await simulator(api, last_mile_carrier="DHL-DE").run_once()
    shipped = await api.ok("GET", f"/v1/logistics/outbound/{order['id']}", MERCHANT)
    assert (shipped["status"], shipped["carrier_code"], shipped["tracking_number"][:3]) == (
        "shipped",
        "DHL-DE",
        "SIM",
    )


async def test_an_order_on_hold_waits_and_is_shipped_once_released(api: LogisticsApi) -> None:
    warehouse = (await a_warehouse(api))["id"]
    product = (await a_product(api))["id"]
    await put_away(api, warehouse, product, 10)
    order = await api.ok("POST", "/v1/logistics/outbound", MERCHANT, 201, json=order_body(warehouse))
    sim = simulator(api, delay_scale=1.0)  # real hours: the first pick is half an hour away at least
    await sim.run_once()
    path = f"/v1/logistics/outbound/{order['id']}"
    await api.ok("POST", f"{path}/hold", MERCHANT, json={"reason": "merchant_hold"})
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=12)  # every step due (at most 11 h)
    await sim.run_once(later)
    held = ((await api.ok("GET", path, MERCHANT))["status"], (await _task(api, "order", order["id"])).outcome)
    await api.ok("POST", f"{path}/release", MERCHANT)
    await sim.run_once(later)
    assert (held, (await api.ok("GET", path, MERCHANT))["status"]) == (("on_hold", "playing"), "shipped")


async def _claim(api: LogisticsApi, reference: str) -> dict[str, Any]:
    """A damage claim of ENTERPRISE against CARRIER's delivered express leg."""
    tag = new_tag()
    calls = tracking.LogisticsApi(api.app, api.client)
    await calls.feed([registered(CARRIER, 1), registered(ENTERPRISE, 2)])
    body = {
        "direction": "export",
        "customs_mode": "9610",
        "order_no": f"SIMCLM{tag}",
        "ebc_code": ENTERPRISE.codes[0].code,
        "legs": [
            {
                "role": "linehaul",
                "mode": "air",
                "carrier_code": CARRIER.codes[0].code,
                "tracking_number": f"T{tag}",
            }
        ],
    }
    shipment = await api.ok("POST", "/v1/logistics/shipments", ENTERPRISE, 201, json=body)
    ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    events = [
        {
            "tracking_number": f"T{tag}",
            "occurred_at": (ago - dt.timedelta(days=3)).isoformat(),
            "status": "in_transit",
        },
        {"tracking_number": f"T{tag}", "occurred_at": ago.isoformat(), "status": "delivered"},
    ]
    assert (await calls.push("generic", {"events": events}, CARRIER)).status_code in (200, 202)
    claim = {
        "reference": reference,
        "shipment_id": shipment["id"],
        "kind": "damaged",
        "description": "Two vases broken on arrival.",
        "weight_kg": "10",
        "currency": "CNY",
        "claimed_amount": "5000.00",
    }
    return await api.ok("POST", "/v1/logistics/claims", ENTERPRISE, 201, json=claim)  # type: ignore[no-any-return]


async def test_the_carrier_rejects_approves_in_part_and_pays_as_drawn(api: LogisticsApi) -> None:
    rejected = await _claim(api, "CLM-R")
    await simulator(api, replace(CALM, reject=1)).run_once()
    partial = await _claim(api, "CLM-P")
    await simulator(api, replace(CALM, partial=1)).run_once()
    answers = [
        await api.ok("GET", f"/v1/logistics/claims/{c['id']}", ENTERPRISE) for c in (rejected, partial)
    ]
    assert [(a["status"], a["paid_cny"] == a["approved_cny"]) for a in answers] == [
        ("rejected", True),  # both None: nothing approved, nothing paid
        ("paid", True),
    ]
    assert partial["offer_cny"] != answers[1]["approved_cny"]


async def test_a_claim_waits_for_the_documents_asked_for_then_is_decided(api: LogisticsApi) -> None:
    claim = await _claim(api, "CLM-D")
    sim = simulator(api, replace(CALM, documents=1))
    await sim.run_once()
    path = f"/v1/logistics/claims/{claim['id']}"
    waiting = (await api.ok("GET", path, ENTERPRISE))["status"]
    await sim.run_once()
    still = (await api.ok("GET", path, ENTERPRISE))["status"]
    sent = await api.post(
        f"{path}/evidence?filename=photo.png", ENTERPRISE, content=PNG, headers={"content-type": "image/png"}
    )
    assert sent.status_code == 201, sent.text
    await sim.run_once()
    assert (waiting, still, (await api.ok("GET", path, ENTERPRISE))["status"]) == (
        "waiting_on_documents",
        "waiting_on_documents",
        "paid",
    )


async def test_a_restart_sends_the_same_steps_again_and_nothing_is_applied_twice(api: LogisticsApi) -> None:
    _warehouse, asn = await _asn(api)
    await simulator(api, replace(CALM, discrepancy=1)).run_once()

    async def counts() -> tuple[int, int]:
        async with api.db.transaction() as session:
            movements = await session.scalar(
                select(func.count()).select_from(StockMovement).where(StockMovement.reference_id == asn["id"])
            )
            receipts = await session.scalar(
                select(func.count()).select_from(InboundReceipt).where(InboundReceipt.asn_id == asn["id"])
            )
        return int(movements or 0), int(receipts or 0)

    before = await counts()
    # A crash before the task's row was updated: every step goes out again.
    async with api.db.transaction() as session:
        await session.execute(
            update(SimulatedTask)
            .where(SimulatedTask.object_id == asn["id"])
            .values(steps_done=0, outcome="playing", finished_at=None)
        )
    report = await simulator(api, replace(CALM, discrepancy=1)).run_once()
    task = await _task(api, "asn", asn["id"])
    assert (await counts(), task.outcome, report.errors, before[0] > 0) == (before, "done", [], True)
