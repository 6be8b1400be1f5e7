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


@pytest.mark.postgres
@pytest.mark.parametrize("name", SERVICES)
async def test_the_latest_migration_downgrades_and_upgrades_again_on_postgresql(name: str) -> None:
    """The rollback story: ``alembic downgrade -1`` then ``upgrade head`` leaves the schema exact."""
    from sqlalchemy import text

    from shared.migrations import downgrade_to
    from tests.support.infra import create_pg_database, drop_pg_database

    url = await create_pg_database()
    db = Database(url)
    try:
        await upgrade_to_head(db, name)
        head = await current_revision(db)
        await downgrade_to(db, name, "-1")
        below = await current_revision(db)
        async with db.engine.connect() as conn:  # the database answers between the two steps
            await conn.execute(text("SELECT 1"))
        await upgrade_to_head(db, name)
        metadata = importlib.import_module(f"services.{name}.models").metadata

        def diff(connection: Connection) -> list[object]:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, [metadata, messaging_metadata])

        async with db.engine.connect() as conn:
            differences = await conn.run_sync(diff)
        again = await current_revision(db)
    finally:
        await db.dispose()
        await drop_pg_database(url)
    assert (below != head, again, differences) == (True, head, [])
