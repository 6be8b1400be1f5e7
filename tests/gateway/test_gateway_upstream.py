"""The gateway in front of real services: identity forwarding, services refusing direct calls,
timeouts without retries, the circuit breaker, request ids, body limits, hostile input."""

from __future__ import annotations

import asyncio
import importlib
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.routing import APIRoute

from services.gateway.routing.proxy import Proxy
from services.gateway.routing.table import Route
from shared.budget import START_BY_HEADER, RequestBudget
from shared.identity import IDENTITY_HEADER, IdentitySigner, IdentityVerifier
from shared.problems import ProblemError
from shared.settings import DEV_IDENTITY_PUBLIC_KEY, DEV_IDENTITY_SEED
from tests.gateway.support import (
    Gateway,
    customs_code,
    gateway_settings,
    running_gateway,
    running_gateway_with_stats,
)
from tests.support.infra import Broker, free_port
from tests.support.services import REGULATOR, identity_headers, running_app, served, service_settings

CALLS: dict[str, int] = {"count": 0, "slow": 0}


def probe_app() -> FastAPI:
    """A trivial service standing in for logistics: echoes what the gateway forwarded."""
    app = FastAPI()
    verifier = IdentityVerifier(DEV_IDENTITY_PUBLIC_KEY, "logistics")

    @app.get("/v1/logistics/echo")
    async def echo(request: Request) -> JSONResponse:
        identity = verifier.verify(request.headers[IDENTITY_HEADER], method="GET", path=request.url.path)
        return JSONResponse({"identity": identity.model_dump(mode="json"), "headers": dict(request.headers)})

    @app.get("/v1/logistics/chunked")
    async def chunked() -> StreamingResponse:
        async def parts() -> AsyncIterator[bytes]:
            for i in range(50):
                yield f"line {i}\n".encode() * 100

        return StreamingResponse(parts(), media_type="text/plain")

    @app.post("/v1/logistics/echo-body")
    async def echo_body(request: Request) -> Response:
        return Response(await request.body(), media_type="application/octet-stream", status_code=201)

    @app.post("/v1/logistics/count")
    async def count() -> JSONResponse:
        CALLS["count"] += 1
        return JSONResponse({"n": CALLS["count"]}, status_code=201)

    @app.get("/v1/logistics/shedding")
    async def shedding() -> JSONResponse:
        return JSONResponse({"code": "service.overloaded"}, status_code=503, headers={"Retry-After": "1"})

    @app.post("/v1/logistics/slow")
    async def slow() -> JSONResponse:
        CALLS["slow"] += 1
        await asyncio.sleep(3)
        return JSONResponse({}, status_code=201)

    return app


@pytest.fixture(scope="module")
async def fronted(broker: Broker, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Gateway]:
    """A gateway whose logistics upstream is the probe, with a short read timeout."""
    var_dir = tmp_path_factory.mktemp("gwup")
    async with served(probe_app()) as probe_url:
        settings = gateway_settings(
            f"sqlite+aiosqlite:///{var_dir / 'g.db'}",
            broker.bootstrap,
            var_dir,
            logistics_url=probe_url,
            upstream_timeout_seconds=0.5,
            circuit_failure_threshold=3,
            circuit_open_seconds=60,
            max_body_bytes=4096,
        )
        async with running_gateway(settings) as gw:
            yield gw


async def _logistics_firm(gw: Gateway) -> Any:
    return await gw.onboard("logistics_firm", codes=[(customs_code(), ["logisticsCode"])])


async def test_forwarded_identity_names_party_roles_codes_and_credential(fronted: Gateway) -> None:
    firm = await _logistics_firm(fronted)
    response = await fronted.call("GET", "/v1/logistics/echo", firm)
    assert response.status_code == 200, response.text
    identity = response.json()["identity"]
    assert identity["party_id"] == firm.party_id
    assert identity["roles"] == ["logistics_firm"]
    assert [c["code"] for c in identity["codes"]] == firm.codes
    assert identity["credential_id"] == firm.key_id


async def test_platform_identity_lists_the_merchants_it_may_file_for(fronted: Gateway) -> None:
    platform = await fronted.onboard("ecommerce_platform", "logistics_firm")
    merchant = await fronted.enterprise()
    added = await fronted.call(
        "POST",
        f"/v1/parties/{platform.party_id}/delegations",
        fronted.admin,
        json_body={"merchant_party_id": merchant.party_id},
    )
    assert added.status_code == 201, added.text
    identity = (await fronted.call("GET", "/v1/logistics/echo", platform)).json()["identity"]
    assert identity["on_behalf_of"] == [merchant.party_id]


async def test_client_credentials_never_reach_the_service(fronted: Gateway) -> None:
    firm = await _logistics_firm(fronted)
    headers = (await fronted.call("GET", "/v1/logistics/echo", firm)).json()["headers"]
    # The gateway's own x-ddt-* headers (identity token, start-by) travel; the client's never do.
    assert not [h for h in headers if h.startswith("x-ddt-") and h not in {IDENTITY_HEADER, START_BY_HEADER}]
    assert "authorization" not in headers


async def test_client_request_id_is_kept_beside_the_gateways_own(fronted: Gateway) -> None:
    firm = await _logistics_firm(fronted)
    response = await fronted.call(
        "GET", "/v1/logistics/echo", firm, headers={"X-Request-ID": "client-chosen-id"}
    )
    forwarded = response.json()["headers"]
    assert response.headers["x-request-id"] != "client-chosen-id"
    assert forwarded["x-request-id"] == response.headers["x-request-id"]
    assert forwarded["x-client-request-id"] == "client-chosen-id"


async def test_a_clients_trace_context_does_not_travel_upstream(fronted: Gateway) -> None:
    # The gateway is the trust boundary of traces too: with tracing on it sends its own
    # traceparent (tests/e2e/test_tracing.py); a client's never passes.
    firm = await _logistics_firm(fronted)
    traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    response = await fronted.call("GET", "/v1/logistics/echo", firm, headers={"traceparent": traceparent})
    assert "traceparent" not in response.json()["headers"]


async def test_upstream_timeout_answers_504_and_the_post_is_not_retried(fronted: Gateway) -> None:
    firm = await _logistics_firm(fronted)
    before = CALLS["slow"]
    response = await fronted.call("POST", "/v1/logistics/slow", firm, json_body={})
    assert response.status_code == 504
    assert response.json()["code"] == "upstream.timeout"
    await asyncio.sleep(0.1)
    assert CALLS["slow"] == before + 1


async def test_non_idempotent_call_reaches_the_service_exactly_once(fronted: Gateway) -> None:
    firm = await _logistics_firm(fronted)
    before = CALLS["count"]
    response = await fronted.call("POST", "/v1/logistics/count", firm, json_body={})
    assert response.status_code == 201
    assert CALLS["count"] == before + 1


async def test_body_over_the_limit_is_413(fronted: Gateway) -> None:
    firm = await _logistics_firm(fronted)
    response = await fronted.call("POST", "/v1/logistics/count", firm, content=b"{" + b" " * 5000 + b"}")
    assert response.status_code == 413
    assert response.json()["code"] == "request.body_too_large"


async def test_circuit_opens_after_failures_and_then_answers_503_at_once(
    broker: Broker, tmp_path: Path
) -> None:
    settings = gateway_settings(
        f"sqlite+aiosqlite:///{tmp_path / 'g.db'}",
        broker.bootstrap,
        tmp_path,
        stats_url=f"http://127.0.0.1:{free_port()}",
        circuit_failure_threshold=2,
        circuit_open_seconds=60,
    )
    async with running_gateway(settings) as gw:
        regulator = await gw.onboard("regulator")
        codes = [(await gw.call("GET", "/v1/stats/summary", regulator)).json()["code"] for _ in range(4)]
        open_answer = await gw.call("GET", "/v1/stats/summary", regulator)
    assert codes == [
        "upstream.unavailable",
        "upstream.unavailable",
        "upstream.circuit_open",
        "upstream.circuit_open",
    ]
    assert open_answer.status_code == 503
    assert int(open_answer.headers["retry-after"]) > 1


def _service_apps() -> list[str]:
    return ["declaration", "logistics", "payments", "stats"]


@pytest.mark.parametrize("service", _service_apps())
async def test_service_called_directly_without_identity_token_is_refused(
    service: str, broker: Broker, tmp_path: Path
) -> None:
    app_module = importlib.import_module(f"services.{service}.app")
    settings_module = importlib.import_module(f"services.{service}.settings")
    settings_cls = next(
        v
        for k, v in vars(settings_module).items()
        if k.endswith("Settings") and k != "ServiceSettings" and getattr(v, "service_name", "") == service
    )
    app = app_module.create_app(
        service_settings(settings_cls, f"sqlite+aiosqlite:///{tmp_path / 's.db'}", broker.bootstrap)
    )
    routes = [r for r in app.routes if isinstance(r, APIRoute) and r.path.startswith("/v1/")]
    async with running_app(app) as client:
        for route in routes:
            path = route.path.replace("{", "").replace("}", "")
            for method in sorted(route.methods):
                response = await client.request(
                    method, path, content=b"{}", headers={"Content-Type": "application/json"}
                )
                assert response.status_code == 401, (service, method, path, response.status_code)
                assert response.json()["code"] == "auth.identity_missing"


async def test_stats_service_refuses_a_token_minted_for_another_service(
    broker: Broker, tmp_path: Path
) -> None:
    from services.stats.app import create_app
    from services.stats.settings import StatsSettings

    app = create_app(
        service_settings(StatsSettings, f"sqlite+aiosqlite:///{tmp_path / 's.db'}", broker.bootstrap)
    )
    async with running_app(app) as client:
        wrong = identity_headers(REGULATOR, "declaration", "GET", "/v1/stats/summary")
        response = await client.get("/v1/stats/summary", headers=wrong)
    assert response.json()["code"] == "auth.identity_invalid"


async def test_stats_summary_is_scoped_by_the_forwarded_identity(broker: Broker, tmp_path: Path) -> None:
    async with running_gateway_with_stats(broker.bootstrap, tmp_path) as gw:
        ent, regulator = await gw.enterprise(), await gw.onboard("regulator")
        own = await gw.call("GET", "/v1/stats/summary", ent)
        everyone = await gw.call("GET", "/v1/stats/summary", regulator)
    assert own.json()["scope"] == ent.party_id
    assert everyone.json()["scope"] == "platform"


HOSTILE = [
    ("malformed JSON", "POST", "/v1/credentials", b'{"label": ', {}),
    ("JSON array instead of object", "POST", "/v1/parties", b"[1,2,3]", {}),
    ("wrong content type", "POST", "/v1/credentials", b"label=x", {"Content-Type": "text/plain"}),
    ("deeply nested JSON", "POST", "/v1/credentials", b'{"label":' + b"[" * 500 + b"]" * 500 + b"}", {}),
    ("invalid UTF-8 in body", "POST", "/v1/credentials", b'{"label":"\xff\xfe"}', {}),
    ("NUL in path", "GET", "/v1/parties/%00", b"", {}),
    ("invalid UTF-8 in path", "GET", "/v1/parties/%ff%fe", b"", {}),
    ("absurd page size", "GET", "/v1/parties?limit=99999999999999999999", b"", {}),
    ("bad datetime filter", "GET", "/v1/audit?since=yesterday", b"", {}),
    ("invalid USCC", "POST", "/v1/parties", b'{"name":"x","uscc":"91320700MA1XXXXXX1","roles":["bank"]}', {}),
    ("unknown role", "POST", "/v1/parties", b'{"name":"x","uscc":"x","roles":["emperor"]}', {}),
]


@pytest.mark.parametrize("label, method, path, body, headers", HOSTILE, ids=[h[0] for h in HOSTILE])
async def test_hostile_input_gets_a_precise_problem_never_a_500(
    fronted: Gateway, label: str, method: str, path: str, body: bytes, headers: dict[str, str]
) -> None:
    response = await fronted.call(
        method, path, fronted.admin, content=body, headers={"Content-Type": "application/json", **headers}
    )
    assert 400 <= response.status_code < 500, (label, response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] != "internal.error"


async def test_sql_in_a_search_filter_is_inert(fronted: Gateway) -> None:
    response = await fronted.call("GET", "/v1/audit?operation=x'%20OR%201=1--", fronted.admin)
    assert response.status_code == 200
    assert response.json()["items"] == []


async def test_chunked_upstream_answer_is_relayed_whole(fronted: Gateway) -> None:
    firm = await _logistics_firm(fronted)
    response = await fronted.call("GET", "/v1/logistics/chunked", firm)
    assert response.status_code == 200
    assert response.text == "".join(f"line {i}\n" * 100 for i in range(50))


async def test_request_body_reaches_the_service_byte_for_byte(fronted: Gateway) -> None:
    firm = await _logistics_firm(fronted)
    payload = bytes(range(256)) * 15
    response = await fronted.call(
        "POST", "/v1/logistics/echo-body", firm, content=payload, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 201
    assert response.content == payload


async def test_pooled_connections_serve_many_sequential_calls(fronted: Gateway) -> None:
    firm = await _logistics_firm(fronted)
    statuses = {(await fronted.call("GET", "/v1/logistics/echo", firm)).status_code for _ in range(20)}
    assert statuses == {200}


async def test_forwarded_requests_carry_the_start_by_of_the_request_budget(fronted: Gateway) -> None:
    firm = await _logistics_firm(fronted)
    before = time.time()
    response = await fronted.call("GET", "/v1/logistics/echo", firm)
    assert response.status_code == 200, response.text
    stamp = int(response.json()["headers"][START_BY_HEADER]) / 1000
    # Arrival plus the budget's queue share (default budget 1 s: 0.25 s).
    assert before + 0.25 - 0.01 <= stamp <= time.time() + 0.25 + 0.01


async def test_a_request_that_waited_past_its_queue_share_is_refused_not_forwarded() -> None:
    wall = [1_800_000_000.0]
    proxy = Proxy(
        IdentitySigner(DEV_IDENTITY_SEED, 60),
        {"logistics": "http://127.0.0.1:9"},  # never reached: refused before any connection
        budget=RequestBudget(2.0),
        wall=lambda: wall[0],
    )
    scope: dict[str, Any] = {
        "type": "http",
        "method": "POST",
        "path": "/v1/logistics/count",
        "headers": [],
        "state": {"arrived_wall": wall[0], "request_id": "req-1"},
    }
    wall[0] += 0.6  # the gateway's own queue held it past the 0.5 s queue share of a 2 s budget
    with pytest.raises(ProblemError) as refused:
        await proxy.forward_raw(scope, Route("logistics", "/v1/logistics/count"), None, b"")
    assert refused.value.status == 503 and refused.value.kind.code == "gateway.overloaded"
    assert refused.value.headers == {"Retry-After": "2"}
    assert proxy.breakers["logistics"].state == "closed"  # an overload is not the service failing
    await proxy.aclose()


async def test_a_service_shedding_load_with_retry_after_does_not_open_the_circuit(fronted: Gateway) -> None:
    firm = await _logistics_firm(fronted)
    for _ in range(5):  # more than the threshold of 3
        refused = await fronted.call("GET", "/v1/logistics/shedding", firm)
        assert refused.status_code == 503 and refused.json()["code"] == "service.overloaded"
        assert refused.headers["retry-after"] == "1"
    assert (await fronted.call("GET", "/v1/logistics/echo", firm)).status_code == 200
