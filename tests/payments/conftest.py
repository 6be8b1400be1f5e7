"""Fixtures of the payments tests: one payments app per test module and database (SQLite, then
PostgreSQL), fed by the real consumer path; every test gets its own party ids."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.payments.app import create_app
from tests.payments.support import PaymentsApi, new_namespace, payments_settings
from tests.support.infra import create_pg_database, drop_pg_database
from tests.support.services import running_app


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def payments_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """A fresh database for the module."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{Path(tmp_path_factory.mktemp('payments')) / 'payments.db'}"
        return
    url = await create_pg_database()
    try:
        yield url
    finally:
        await drop_pg_database(url)


@pytest.fixture(scope="module")
async def payments_app(payments_url: str) -> AsyncIterator[PaymentsApi]:
    """The payments app of the module."""
    app = create_app(payments_settings(payments_url))
    async with running_app(app) as client:
        yield PaymentsApi(app, client)


@pytest.fixture
async def payments(payments_app: PaymentsApi) -> PaymentsApi:
    """The module's app, with party ids of this test's own."""
    new_namespace()
    return payments_app
