"""Fixtures of the logistics tests: one app per module and database (SQLite, then PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from services.logistics.app import create_app
from tests.logistics.support import (
    CARRIER,
    ENTERPRISE,
    OTHER_CARRIER,
    OTHER_ENTERPRISE,
    LogisticsApi,
    logistics_settings,
    registered,
)
from tests.support.infra import create_pg_database, drop_pg_database
from tests.support.services import running_app


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def logistics_db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """A fresh database for one module's app."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('logistics') / 'logistics.db'}"
        return
    url = await create_pg_database("ddt_logistics")
    try:
        yield url
    finally:
        await drop_pg_database(url)


@pytest.fixture(scope="module")
def settings_overrides() -> dict[str, Any]:
    """Override in a module to configure its app."""
    return {}


@pytest.fixture(scope="module")
async def api(logistics_db_url: str, settings_overrides: dict[str, Any]) -> AsyncIterator[LogisticsApi]:
    """The logistics service of this module, with the test parties registered."""
    app = create_app(logistics_settings(logistics_db_url, **settings_overrides))
    async with running_app(app) as client:
        service = LogisticsApi(app, client)
        await service.feed(
            [
                registered(p, n)
                for n, p in enumerate((CARRIER, OTHER_CARRIER, ENTERPRISE, OTHER_ENTERPRISE), 1)
            ]
        )
        yield service
