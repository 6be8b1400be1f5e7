"""Fixtures of the warehousing tests: the logistics app on SQLite and PostgreSQL, and callers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from services.logistics.app import create_app
from services.logistics.settings import LogisticsSettings
from shared.db import Database
from shared.events import CloudEvent
from shared.identity import Identity
from shared.messaging.tables import outbox
from tests.support.infra import create_pg_database, drop_pg_database, free_port
from tests.support.services import running_app, send_as, service_settings

OPERATOR = Identity(party_id="pty_op1", party_name="跨境通海外仓", roles=["overseas_warehouse_operator"])
OTHER_OPERATOR = Identity(party_id="pty_op2", party_name="Other WMS", roles=["overseas_warehouse_operator"])
MERCHANT = Identity(party_id="pty_m1", party_name="东海晶艺", roles=["ecommerce_enterprise"])
OTHER_MERCHANT = Identity(party_id="pty_m2", party_name="Other seller", roles=["ecommerce_enterprise"])
PLATFORM = Identity(
    party_id="pty_plat", party_name="Platform", roles=["ecommerce_platform"], on_behalf_of=["pty_m1"]
)
CARRIER = Identity(party_id="pty_carrier", party_name="港通快递", roles=["logistics_firm"])
REGULATOR = Identity(party_id="pty_reg", party_name="市商务局", roles=["regulator"])
ADMIN = Identity(party_id="pty_admin", party_name="Platform admin", roles=["platform_admin"])


@dataclass
class LogisticsApi:
    """A running logistics app, its database, and signed calls."""

    app: FastAPI
    client: httpx.AsyncClient

    @property
    def db(self) -> Database:
        return self.app.state.runtime.db  # type: ignore[no-any-return]

    async def call(self, method: str, path: str, who: Identity, **kwargs: Any) -> httpx.Response:
        return await send_as(self.client, who, "logistics", method, path, **kwargs)

    async def get(self, path: str, who: Identity, **kwargs: Any) -> httpx.Response:
        return await self.call("GET", path, who, **kwargs)

    async def post(self, path: str, who: Identity, **kwargs: Any) -> httpx.Response:
        return await self.call("POST", path, who, **kwargs)

    async def patch(self, path: str, who: Identity, **kwargs: Any) -> httpx.Response:
        return await self.call("PATCH", path, who, **kwargs)

    async def ok(self, method: str, path: str, who: Identity, status: int = 200, **kwargs: Any) -> Any:
        """Call and insist on ``status``; the JSON answer."""
        response = await self.call(method, path, who, **kwargs)
        assert response.status_code == status, response.text
        return response.json()

    async def staged(self, event_type: str | None = None) -> list[CloudEvent]:
        """Events staged in the outbox (optionally of one type, without the version)."""
        async with self.db.transaction() as session:
            rows = (await session.execute(select(outbox.c.payload).order_by(outbox.c.seq))).scalars().all()
        events = [CloudEvent.model_validate_json(p) for p in rows]
        return [e for e in events if event_type is None or e.base_type == event_type]


def logistics_settings(database_url: str, **overrides: Any) -> LogisticsSettings:
    """Settings whose broker address answers nothing: tests feed events themselves."""
    return service_settings(LogisticsSettings, database_url, f"127.0.0.1:{free_port()}", **overrides)


@pytest.fixture
async def api(database_url: str) -> AsyncIterator[LogisticsApi]:
    """The logistics app on a fresh database (SQLite, then PostgreSQL)."""
    app = create_app(logistics_settings(database_url))
    async with running_app(app) as client:
        yield LogisticsApi(app, client)


@pytest.fixture
async def pg_api() -> AsyncIterator[LogisticsApi]:
    """The logistics app on PostgreSQL only (concurrency proofs: SQLite serialises every writer)."""
    url = await create_pg_database()
    try:
        app = create_app(logistics_settings(url))
        async with running_app(app) as client:
            yield LogisticsApi(app, client)
    finally:
        await drop_pg_database(url)
