"""/healthz, /readyz and /metrics on every service."""

from __future__ import annotations

import importlib

import pytest

from shared.settings import ServiceSettings
from tests.support.infra import Broker, free_port, wait_until
from tests.support.services import running_app, service_settings

SERVICES = ["gateway", "declaration", "logistics", "payments", "stats"]


def app_for(name: str, database_url: str, bootstrap: str):  # type: ignore[no-untyped-def]
    module = importlib.import_module(f"services.{name}.app")
    settings_module = importlib.import_module(f"services.{name}.settings")
    cls = next(
        v
        for v in vars(settings_module).values()
        if isinstance(v, type) and issubclass(v, ServiceSettings) and v is not ServiceSettings
    )
    return module.create_app(service_settings(cls, database_url, bootstrap))


@pytest.mark.parametrize("name", SERVICES)
async def test_every_service_is_alive_and_becomes_ready(
    name: str, sqlite_url: str, own_broker: Broker
) -> None:
    # Its own broker: on the session's one, the "stats" group would first have to catch up
    # with every event the suite's other tests published (seconds of work on a busy CI box).
    async with running_app(app_for(name, sqlite_url, own_broker.bootstrap)) as client:
        alive = (await client.get("/healthz")).status_code

        async def ready() -> bool:
            return (await client.get("/readyz")).status_code == 200

        try:
            await wait_until(ready, timeout=30, message=f"{name} ready")
        except AssertionError:
            raise AssertionError((await client.get("/readyz")).text) from None  # which check failed
    assert alive == 200


@pytest.mark.parametrize("name", SERVICES)
async def test_every_service_exposes_prometheus_metrics(name: str, sqlite_url: str, broker: Broker) -> None:
    async with running_app(app_for(name, sqlite_url, broker.bootstrap)) as client:
        await client.get("/healthz")
        text = (await client.get("/metrics")).text
    assert f'ddt_http_requests_total{{method="GET",route="/healthz",service="{name}",status="200"}}' in text


async def test_a_service_without_its_broker_is_alive_but_not_ready(sqlite_url: str) -> None:
    async with running_app(app_for("stats", sqlite_url, f"127.0.0.1:{free_port()}")) as client:
        alive = (await client.get("/healthz")).status_code
        ready = await client.get("/readyz")
    assert (alive, ready.status_code, ready.json()["checks"]["broker"]) == (200, 503, "connecting")


@pytest.mark.postgres
async def test_a_replica_whose_relay_stands_by_is_ready(own_broker: Broker) -> None:
    # Two replicas on one PostgreSQL database: one relay leads, the other stands by — and both
    # must be ready, or a load balancer would send nothing to the second.
    from tests.support.infra import create_pg_database, drop_pg_database

    url = await create_pg_database()
    try:
        first = app_for("logistics", url, own_broker.bootstrap)
        second = app_for("logistics", url, own_broker.bootstrap)
        async with running_app(first) as one, running_app(second) as two:

            async def both_ready() -> list[dict[str, object]] | None:
                answers = [await one.get("/readyz"), await two.get("/readyz")]
                if all(a.status_code == 200 for a in answers):
                    return [a.json()["checks"] for a in answers]
                return None

            checks = await wait_until(both_ready, timeout=30, message="both replicas ready")
    finally:
        await drop_pg_database(url)
    assert sorted(c["broker"] for c in checks) == ["ok", "standby"]
