"""Fixtures of the stats tests: the stats app on SQLite and PostgreSQL, fed through the real consumer path."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.stats.app import create_app
from services.stats.settings import StatsSettings
from shared.db import Database
from shared.events import CloudEvent
from shared.identity import Identity
from tests.stats.support import feed
from tests.support.infra import free_port
from tests.support.services import running_app, send_as, service_settings

REGULATOR = Identity(
    party_id="reg-commerce", party_name="市商务局", roles=["regulator"], credential_id="k-reg1"
)
REVIEWER = Identity(
    party_id="reg-commerce", party_name="市商务局", roles=["regulator"], credential_id="k-reg2"
)
APPROVER = Identity(
    party_id="reg-finance", party_name="市财政局", roles=["regulator"], credential_id="k-fin1"
)
ADMIN = Identity(party_id="admin-1", party_name="Platform", roles=["platform_admin"])


def enterprise(party_id: str) -> Identity:
    """An e-commerce enterprise identity."""
    return Identity(party_id=party_id, party_name=party_id, roles=["ecommerce_enterprise"])


@dataclass
class StatsApi:
    """A running stats app, its database, and signed calls."""

    app: FastAPI
    client: httpx.AsyncClient

    @property
    def db(self) -> Database:
        return self.app.state.runtime.db  # type: ignore[no-any-return]

    async def feed(self, events: list[CloudEvent]) -> list[str]:
        return await feed(self.db, events)

    async def call(self, method: str, path: str, who: Identity = REGULATOR, **kwargs: Any) -> httpx.Response:
        return await send_as(self.client, who, "stats", method, path, **kwargs)

    async def get(self, path: str, who: Identity = REGULATOR, **kwargs: Any) -> httpx.Response:
        return await self.call("GET", path, who, **kwargs)

    async def post(self, path: str, who: Identity = REGULATOR, **kwargs: Any) -> httpx.Response:
        return await self.call("POST", path, who, **kwargs)


def stats_settings(database_url: str, **overrides: Any) -> StatsSettings:
    """Settings whose broker address answers nothing: tests feed events themselves, and no
    other test's events can reach this database."""
    return service_settings(
        StatsSettings, database_url, f"127.0.0.1:{free_port()}", export_poll_seconds=0.05, **overrides
    )


@pytest.fixture
async def stats(database_url: str) -> AsyncIterator[StatsApi]:
    """The stats app on a fresh database (SQLite, then PostgreSQL)."""
    app = create_app(stats_settings(database_url))
    async with running_app(app) as client:
        yield StatsApi(app, client)


@pytest.fixture
async def stats_db(database_url: str) -> AsyncIterator[Database]:
    """A migrated stats database with the default rates (no app)."""
    from tests.stats.support import migrated

    db = await migrated(database_url)
    yield db
    await db.dispose()
