"""Every service's Alembic history runs on SQLite and PostgreSQL and matches its models."""

from __future__ import annotations

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from shared.db import Database
from shared.messaging.tables import messaging_metadata
from shared.migrations import current_revision, upgrade_to_head

SERVICES = ["gateway", "declaration", "logistics", "payments", "stats"]


@pytest.mark.parametrize("name", SERVICES)
async def test_migrations_reach_head_and_match_the_models(name: str, database_url: str) -> None:
    db = Database(database_url)
    try:
        await upgrade_to_head(db, name)
        metadata = importlib.import_module(f"services.{name}.models").metadata

        def diff(connection: Connection) -> list[object]:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, [metadata, messaging_metadata])

        async with db.engine.connect() as conn:
            differences = await conn.run_sync(diff)
    finally:
        await db.dispose()
    assert differences == []


@pytest.mark.parametrize("name", SERVICES)
async def test_migrating_twice_changes_nothing(name: str, sqlite_url: str) -> None:
    db = Database(sqlite_url)
    try:
        await upgrade_to_head(db, name)
        first = await current_revision(db)
        await upgrade_to_head(db, name)
        assert await current_revision(db) == first
    finally:
        await db.dispose()
