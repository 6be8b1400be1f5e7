"""The gateway's door: an in-flight limit per upstream service, checked before the body is read
and before authentication, derived from the request budget and the service's throughput."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from services.gateway.routing.inflight import UPSTREAM_ANSWERED, InflightDoor, InflightLimit, InflightLimits
from services.gateway.routing.proxy import Proxy
from shared.budget import RequestBudget
from tests.gateway.support import Gateway, customs_code, gateway_settings, running_gateway
from tests.support.infra import Broker
from tests.support.services import served

CALLED = {"count": 0}
GATE = {"open": asyncio.Event()}


def gated_app() -> FastAPI:
    """A logistics stand-in: ``gate`` holds its request until the test opens it."""
    app = FastAPI()

    @app.post("/v1/logistics/gate")
    async def gate() -> JSONResponse:
        await GATE["open"].wait()
        return JSONResponse({}, status_code=201)

    @app.post("/v1/logistics/count")
    async def count() -> JSONResponse:
        CALLED["count"] += 1
        return JSONResponse({}, status_code=201)

    return app


@pytest.fixture(scope="module")
async def door(broker: Broker, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Gateway]:
    """A gateway in front of the gated upstream, one request in flight allowed, a 2 s budget."""
    var_dir = tmp_path_factory.mktemp("gwdoor")
    async with served(gated_app()) as upstream_url:
        settings = gateway_settings(
            f"sqlite+aiosqlite:///{var_dir / 'g.db'}",
            broker.bootstrap,
            var_dir,
            logistics_url=upstream_url,
            inflight_floor=1,
            platform={"request_budget_seconds": 2.0},
        )
        async with running_gateway(settings) as gw:
            yield gw


def _limit(gw: Gateway, service: str) -> InflightLimit:
    return gw.runtime.components.get(Proxy).inflight[service]


async def _fill(gw: Gateway, who: Any) -> list[asyncio.Task[Any]]:
    """Hold as many gated requests to logistics as its limit allows now; returns them."""
    GATE["open"] = asyncio.Event()
    # Nothing is answered while the gate is shut, so the limit cannot move until it opens.
    count = _limit(gw, "logistics").limit
    held = [asyncio.create_task(gw.call("POST", "/v1/logistics/gate", who)) for _ in range(count)]
    for _ in range(500):
        if _limit(gw, "logistics").in_flight == count:
            return held
        await asyncio.sleep(0.01)
    raise AssertionError(f"logistics never had {count} requests in flight")


async def _release(held: list[asyncio.Task[Any]]) -> None:
    GATE["open"].set()
    await asyncio.gather(*held)


async def test_a_full_service_refuses_an_unsigned_request_with_503_before_checking_its_signature(
    door: Gateway,
) -> None:
    firm = await door.onboard("logistics_firm", codes=[(customs_code(), ["logisticsCode"])])
    held = await _fill(door, firm)
    garbage = await door.call("POST", "/v1/logistics/count", None, content=b"not even signed")
    await _release(held)
    assert (garbage.status_code, garbage.json()["code"], garbage.headers.get("retry-after")) == (
        503,
        "service.overloaded",
        "2",
    )


async def test_a_refused_request_never_reaches_its_service(door: Gateway) -> None:
    firm = await door.onboard("logistics_firm", codes=[(customs_code(), ["logisticsCode"])])
    CALLED["count"] = 0
    held = await _fill(door, firm)
    await door.call("POST", "/v1/logistics/count", firm)
    await _release(held)
    assert CALLED["count"] == 0


async def test_other_services_are_not_held_back_by_a_full_one(door: Gateway) -> None:
    firm = await door.onboard("logistics_firm", codes=[(customs_code(), ["logisticsCode"])])
    held = await _fill(door, firm)
    # The declaration upstream is unreachable: the request passes the door and fails behind it.
    other = await door.call("POST", "/v1/customs/inventories", firm, content=b"<x/>")
    await _release(held)
    assert other.json()["code"] != "service.overloaded"


async def test_places_are_given_back_after_answers_and_upstream_failures(door: Gateway) -> None:
    firm = await door.onboard("logistics_firm", codes=[(customs_code(), ["logisticsCode"])])
    GATE["open"] = asyncio.Event()
    GATE["open"].set()
    await door.call("POST", "/v1/logistics/gate", firm)
    await door.call("POST", "/v1/customs/inventories", firm, content=b"<x/>")  # unreachable: 503
    await door.call("POST", "/v1/logistics/count", None)  # unsigned: 401
    assert (_limit(door, "logistics").in_flight, _limit(door, "declaration").in_flight) == (0, 0)


async def test_the_limit_follows_the_request_budget_setting(door: Gateway) -> None:
    assert _limit(door, "logistics").budget == RequestBudget(2.0)


def test_the_limit_is_the_throughput_times_the_budgets_queue_share() -> None:
    clock = [0.0]
    limits = {
        seconds: InflightLimit(
            "declaration", RequestBudget(seconds), floor=1, ceiling=1000, clock=lambda: clock[0]
        )
        for seconds in (1.0, 4.0)
    }
    for limit in limits.values():
        for _ in range(10):
            entered = limit.try_enter()
            assert entered is not None
            clock[0] += 0.125  # one request at a time, each answered in 0.125 s: 8 requests/s
            limit.leave(entered, answered=True)
    # 8/s × a quarter of the budget: 2 in flight for a 1 s budget, 8 for a 4 s one.
    assert {s: limit.limit for s, limit in limits.items()} == {1.0: 2, 4.0: 8}


def test_the_limit_never_falls_below_its_floor() -> None:
    clock = [0.0]
    limit = InflightLimit("stats", RequestBudget(1.0), floor=8, ceiling=200, clock=lambda: clock[0])
    entered = limit.try_enter()
    assert entered is not None
    clock[0] += 30.0  # one long reward run
    limit.leave(entered, answered=True)
    assert limit.limit == 8


def _door_around(app: Any, limits: InflightLimits) -> InflightDoor:
    return InflightDoor(app, limits=lambda _scope: limits)


def _scope() -> dict[str, Any]:
    return {"type": "http", "method": "POST", "path": "/v1/customs/inventories", "headers": [], "state": {}}


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _send(_message: Any) -> None:
    return None


async def test_a_request_whose_handler_raises_gives_its_place_back() -> None:
    limits = InflightLimits(["declaration"], RequestBudget(1.0), floor=4, ceiling=10)

    async def failing(_scope: Scope, _receive: Receive, _send: Send) -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await _door_around(failing, limits)(_scope(), _receive, _send)
    assert limits["declaration"].in_flight == 0


async def test_a_cancelled_request_gives_its_place_back() -> None:
    limits = InflightLimits(["declaration"], RequestBudget(1.0), floor=4, ceiling=10)
    started = asyncio.Event()

    async def hanging(_scope: Scope, _receive: Receive, _send: Send) -> None:
        started.set()
        await asyncio.Event().wait()

    task = asyncio.create_task(_door_around(hanging, limits)(_scope(), _receive, _send))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert limits["declaration"].in_flight == 0


async def test_only_requests_the_service_worked_on_teach_the_throughput() -> None:
    limits = InflightLimits(["declaration"], RequestBudget(1.0), floor=4, ceiling=10)

    async def refused_by_the_gateway(_scope: Scope, _receive: Receive, _send: Send) -> None:
        return None  # a 401 or 429 the gateway answered itself: UPSTREAM_ANSWERED never set

    await _door_around(refused_by_the_gateway, limits)(_scope(), _receive, _send)
    assert limits["declaration"].throughput is None


async def test_a_request_the_service_answered_teaches_the_throughput() -> None:
    limits = InflightLimits(["declaration"], RequestBudget(1.0), floor=4, ceiling=10)

    async def answered(scope: Scope, _receive: Receive, _send: Send) -> None:
        scope["state"][UPSTREAM_ANSWERED] = True

    await _door_around(answered, limits)(_scope(), _receive, _send)
    assert limits["declaration"].throughput is not None
