"""Fixtures of the payments tests: the payments app on SQLite and PostgreSQL, fed by the real consumer."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.payments.app import create_app
from tests.payments.support import PaymentsApi, payments_settings
from tests.support.services import running_app


@pytest.fixture
async def payments(database_url: str) -> AsyncIterator[PaymentsApi]:
    """The payments app on a fresh database (SQLite, then PostgreSQL)."""
    app = create_app(payments_settings(database_url))
    async with running_app(app) as client:
        yield PaymentsApi(app, client)
