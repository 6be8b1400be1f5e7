"""Fixtures of the gateway tests: a gateway per module on SQLite (and PostgreSQL where it
matters), Redis with a per-test key prefix, and a trivial upstream."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from tests.gateway.support import Gateway, gateway_settings, running_gateway
from tests.support.infra import REDIS_URL, Broker, create_pg_database, drop_pg_database


@pytest.fixture(scope="module")
async def gateway(broker: Broker, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Gateway]:
    """One gateway on SQLite for the whole module (tests create their own parties)."""
    var_dir = tmp_path_factory.mktemp("gw")
    settings = gateway_settings(f"sqlite+aiosqlite:///{var_dir / 'gateway.db'}", broker.bootstrap, var_dir)
    async with running_gateway(settings) as gw:
        yield gw


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def gateway_on_each_db(
    request: pytest.FixtureRequest, broker: Broker, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Gateway]:
    """A gateway on SQLite, then on PostgreSQL (for the tests whose point is the database)."""
    var_dir = tmp_path_factory.mktemp("gwdb")
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{var_dir / 'gateway.db'}"
    else:
        url = await create_pg_database("ddt_gw")
    try:
        async with running_gateway(gateway_settings(url, broker.bootstrap, var_dir)) as gw:
            yield gw
    finally:
        if request.param == "postgres":
            await drop_pg_database(url)


@pytest.fixture
def redis_prefix() -> str:
    """A key prefix no other test uses."""
    return f"ddt-test:{uuid.uuid4().hex[:12]}:"


@pytest.fixture
async def redis_client(redis_prefix: str) -> AsyncIterator[aioredis.Redis]:
    """The CI Redis; the test's keys are removed afterwards."""
    client = aioredis.Redis.from_url(REDIS_URL)
    yield client
    keys = [k async for k in client.scan_iter(match=f"{redis_prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


@pytest.fixture
def var_dir(tmp_path: Path) -> Path:
    """A fresh var/ folder."""
    return tmp_path
