"""Fixtures of the warehousing tests: the logistics app on SQLite and PostgreSQL, and callers."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
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
from shared.migrations import upgrade_to_head
from tests.support.infra import POSTGRES_URL, asyncpg_dsn, create_pg_database, drop_pg_database, free_port
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
    """Settings whose broker address answers nothing (tests feed events themselves), and no
    housekeeping loop (tests run its passes when they mean to)."""
    overrides.setdefault("housekeeping_enabled", False)
    return service_settings(LogisticsSettings, database_url, f"127.0.0.1:{free_port()}", **overrides)


@dataclass(frozen=True)
class Templates:
    """Migrated empty databases, copied for each test (migrating once instead of per test)."""

    sqlite_file: Path
    pg_name: str


@pytest.fixture(scope="session")
async def templates(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Templates]:
    """An SQLite file and a PostgreSQL database at the logistics service's head revision."""
    sqlite_file = tmp_path_factory.mktemp("logistics-template") / "template.db"
    db = Database(f"sqlite+aiosqlite:///{sqlite_file}")
    await upgrade_to_head(db, "logistics")
    await db.dispose()
    url = await create_pg_database("ddt_tmpl_logistics")
    db = Database(url)
    await upgrade_to_head(db, "logistics")
    await db.dispose()
    try:
        yield Templates(sqlite_file, url.rsplit("/", 1)[1])
    finally:
        await drop_pg_database(url)


async def _copy_pg(template: str) -> str:
    name = f"ddt_test_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(asyncpg_dsn(POSTGRES_URL))
    try:
        await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        await conn.close()
    return f"{POSTGRES_URL.rsplit('/', 1)[0].replace('postgresql://', 'postgresql+asyncpg://')}/{name}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def fresh_url(
    request: pytest.FixtureRequest, templates: Templates, tmp_path: Path
) -> AsyncIterator[str]:
    """A fresh, migrated logistics database: a copy of the SQLite template, then of the PostgreSQL one."""
    if request.param == "sqlite":
        target = tmp_path / "test.db"
        shutil.copyfile(templates.sqlite_file, target)
        yield f"sqlite+aiosqlite:///{target}"
        return
    url = await _copy_pg(templates.pg_name)
    try:
        yield url
    finally:
        await drop_pg_database(url)


@pytest.fixture
async def api(fresh_url: str) -> AsyncIterator[LogisticsApi]:
    """The logistics app on a fresh database (SQLite, then PostgreSQL)."""
    app = create_app(logistics_settings(fresh_url))
    async with running_app(app) as client:
        yield LogisticsApi(app, client)


@pytest.fixture
async def pg_api(templates: Templates) -> AsyncIterator[LogisticsApi]:
    """The logistics app on PostgreSQL only (concurrency proofs: SQLite serialises every writer)."""
    url = await _copy_pg(templates.pg_name)
    try:
        app = create_app(logistics_settings(url))
        async with running_app(app) as client:
            yield LogisticsApi(app, client)
    finally:
        await drop_pg_database(url)
