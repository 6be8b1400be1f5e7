"""A renamed document status is renamed in stored rows by each service's migration, and back on
downgrade (shared.events.status_renames), on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import text
from sqlalchemy.engine import Connection

from shared.db import Database
from shared.events.status_renames import rename_statuses, restore_statuses


async def _rows_after(database_url: str, *steps: object) -> list[tuple[str, str]]:
    db = Database(database_url)
    try:
        async with db.engine.begin() as conn:
            await conn.execute(
                text("CREATE TABLE docs (id INTEGER PRIMARY KEY, status VARCHAR(32), was VARCHAR(32))")
            )
            await conn.execute(
                text(
                    "INSERT INTO docs VALUES (1, 'cleared_review', 'customs_accepted'),"
                    " (2, 'released', 'cleared_review')"
                )
            )

            def run(connection: Connection) -> None:
                with Operations.context(MigrationContext.configure(connection)):
                    for step in steps:
                        step("docs", ("status", "was"))  # type: ignore[operator]

            await conn.run_sync(run)
            rows = (await conn.execute(text("SELECT status, was FROM docs ORDER BY id"))).all()
    finally:
        await db.dispose()
    return [(r[0], r[1]) for r in rows]


async def test_the_migration_renames_every_old_name_in_every_column(database_url: str) -> None:
    assert await _rows_after(database_url, rename_statuses) == [
        ("examination_concluded", "customs_accepted"),
        ("released", "examination_concluded"),
    ]


async def test_the_downgrade_restores_the_old_names(database_url: str) -> None:
    assert await _rows_after(database_url, rename_statuses, restore_statuses) == [
        ("cleared_review", "customs_accepted"),
        ("released", "cleared_review"),
    ]
