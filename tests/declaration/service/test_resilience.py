"""The intake survives the database dropping its pooled connections (no pre-ping: it retries)."""

from __future__ import annotations

import asyncpg
import pytest

from tests.declaration.service.conftest import Api
from tests.declaration.service.factory import EVERYONE, import_set
from tests.support.infra import POSTGRES_URL, asyncpg_dsn


async def test_a_filing_on_a_connection_the_database_dropped_is_retried(api: Api, tag: str) -> None:
    if not api.settings.database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server to drop connections")
    assert api.settings.db_pool_pre_ping is False
    assert (await api.post_xml(import_set(f"{tag}a")["order"], EVERYONE)).status_code == 200  # pool warm
    database = api.settings.database_url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(asyncpg_dsn(POSTGRES_URL))
    try:
        dropped = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1", database
        )
    finally:
        await admin.close()
    assert dropped >= 1
    response = await api.post_xml(import_set(f"{tag}b")["order"], EVERYONE)
    assert response.status_code == 200, response.text
    assert response.json()["records"][0]["accepted"]
