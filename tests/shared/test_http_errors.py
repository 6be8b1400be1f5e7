"""Bad input gets a precise problem+json with the right status, never a 500 or a trace."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import text

from services.logistics.settings import LogisticsSettings
from shared.identity import CurrentIdentity, Identity
from shared.service import DbSession, ServiceDefinition, create_service_app
from tests.support.infra import Broker
from tests.support.services import identity_headers, running_app, service_settings

router = APIRouter()


class Item(BaseModel):
    name: str = Field(min_length=1)
    quantity: int = Field(gt=0)


@router.post("/v1/things")
async def create_thing(item: Item, session: DbSession) -> dict[str, object]:
    return {"name": item.name, "quantity": item.quantity}


@router.get("/v1/boom")
async def boom() -> None:
    raise RuntimeError("secret internal detail /etc/passwd")


@router.post("/v1/racing")
async def racing(session: DbSession) -> None:
    # What the loser of two requests racing for one unique key meets: the database refuses
    # the second row (here the same transaction plays both requests).
    await session.execute(text(_RACING_TABLE))
    await session.execute(text("INSERT INTO racing VALUES ('same', 1)"))
    await session.execute(text("INSERT INTO racing VALUES ('same', 1)"))


@router.post("/v1/null-into-not-null")
async def null_into_not_null(session: DbSession) -> None:
    # An integrity error a retry cannot mend: a defect, answered as one.
    await session.execute(text(_RACING_TABLE))
    await session.execute(text("INSERT INTO racing VALUES ('other', NULL)"))


_RACING_TABLE = "CREATE TABLE IF NOT EXISTS racing (k VARCHAR(8) PRIMARY KEY, v INTEGER NOT NULL)"


@router.get("/v1/mine")
async def mine(identity: CurrentIdentity) -> dict[str, str]:
    return {"party": identity.party_id}


@pytest.fixture
async def client(sqlite_url: str, broker: Broker) -> AsyncIterator[httpx.AsyncClient]:
    definition = ServiceDefinition(name="logistics", title="test", description="test", routers=[router])
    settings = service_settings(LogisticsSettings, sqlite_url, broker.bootstrap, max_body_bytes=4096)
    async with running_app(create_service_app(definition, settings)) as c:
        yield c


def problem(response: httpx.Response) -> dict[str, object]:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return json.loads(response.text)


async def test_malformed_json_is_400_with_its_code(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/things", content=b'{"name": "x",', headers={"content-type": "application/json"}
    )
    assert (response.status_code, problem(response)["code"]) == (400, "request.malformed_json")


async def test_wrong_content_type_is_415(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/things", content=b"name=x", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert (response.status_code, problem(response)["code"]) == (415, "request.unsupported_media_type")


async def test_missing_content_type_with_a_body_is_415(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/things", content=b'{"name":"x","quantity":1}')
    assert response.status_code == 415


async def test_unknown_route_is_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/nowhere")
    assert (response.status_code, problem(response)["code"]) == (404, "route.not_found")


async def test_wrong_method_is_405_problem(client: httpx.AsyncClient) -> None:
    response = await client.delete("/v1/things")
    assert (response.status_code, problem(response)["code"]) == (405, "route.method_not_allowed")


async def test_a_method_the_path_lacks_is_405_whatever_its_body_type(client: httpx.AsyncClient) -> None:
    # A 415 would send the client to fix a body no route takes (the fuzzer's ST204).
    response = await client.put("/v1/things", content=b"\x00\x01", headers={"content-type": "image/png"})
    assert (response.status_code, problem(response)["code"]) == (405, "route.method_not_allowed")


async def test_declared_oversized_body_is_413(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/things", content=b"x" * 5000, headers={"content-type": "application/json"}
    )
    assert (response.status_code, problem(response)["code"]) == (413, "request.body_too_large")


async def test_streamed_oversized_body_is_413(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"x" * 1000

    response = await client.post("/v1/things", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


async def test_validation_errors_point_to_each_bad_field(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/things", json={"name": "", "quantity": 0})
    body = problem(response)
    assert (response.status_code, sorted(e["pointer"] for e in body["errors"])) == (  # type: ignore[union-attr]
        422,
        ["/body/name", "/body/quantity"],
    )


@pytest.fixture
async def client_on_each_db(database_url: str, broker: Broker) -> AsyncIterator[httpx.AsyncClient]:
    definition = ServiceDefinition(name="logistics", title="test", description="test", routers=[router])
    settings = service_settings(LogisticsSettings, database_url, broker.bootstrap)
    async with running_app(create_service_app(definition, settings)) as c:
        yield c


async def test_a_write_that_lost_a_race_for_a_unique_key_is_a_409_to_retry(
    client_on_each_db: httpx.AsyncClient,
) -> None:
    response = await client_on_each_db.post("/v1/racing")
    assert (response.status_code, problem(response)["code"], response.headers["retry-after"]) == (
        409,
        "resource.concurrent_write",
        "1",
    )


async def test_any_other_integrity_error_is_a_500_not_a_retry(client_on_each_db: httpx.AsyncClient) -> None:
    response = await client_on_each_db.post("/v1/null-into-not-null")
    assert (response.status_code, problem(response)["code"]) == (500, "internal.error")


async def test_unexpected_error_is_500_problem_without_internals(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/boom")
    assert (response.status_code, "passwd" in response.text, "Traceback" in response.text) == (
        500,
        False,
        False,
    )


async def test_unexpected_error_carries_the_request_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/boom")
    assert problem(response)["request_id"] == response.headers["x-request-id"]


async def test_every_response_has_a_request_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert len(response.headers["x-request-id"]) == 32


async def test_a_service_keeps_the_gateway_request_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"x-request-id": "gw-0123456789"})
    assert response.headers["x-request-id"] == "gw-0123456789"


async def test_a_request_without_identity_token_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/mine")
    assert (response.status_code, problem(response)["code"]) == (401, "auth.identity_missing")


async def test_a_request_with_the_gateway_identity_is_served(client: httpx.AsyncClient) -> None:
    headers = identity_headers(Identity(party_id="p-1"), "logistics", "GET", "/v1/mine")
    response = await client.get("/v1/mine", headers=headers)
    assert response.json() == {"party": "p-1"}


async def test_error_log_line_is_json_with_the_request_id(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    from shared.logs import JsonFormatter

    with caplog.at_level(logging.ERROR):
        response = await client.get("/v1/boom")
    record = next(r for r in caplog.records if r.levelno == logging.ERROR)
    line = json.loads(JsonFormatter("logistics").format(record))
    assert line["request_id"] == response.headers["x-request-id"]
