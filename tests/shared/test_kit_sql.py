"""The kit's dialect-neutral insert-or-ignore and upsert, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, select

from shared.db import Database
from shared.kit.sql import greatest, insert_ignore, insert_ignore_returning, upsert, upsert_statement

metadata = MetaData()
tally = Table(
    "kit_tally",
    metadata,
    Column("name", String(20), primary_key=True),
    Column("label", String(20), nullable=False),
    Column("total", Integer, nullable=False),
)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield database
    await database.dispose()


async def _rows(db: Database) -> dict[str, tuple[str, int]]:
    async with db.transaction() as session:
        result = await session.execute(select(tally.c.name, tally.c.label, tally.c.total))
        return {name: (label, total) for name, label, total in result.all()}


async def test_insert_ignore_counts_only_the_new_rows(db: Database) -> None:
    async with db.transaction() as session:
        await insert_ignore(session, tally, {"name": "a", "label": "first", "total": 1})
        new = await insert_ignore(
            session,
            tally,
            [{"name": "a", "label": "again", "total": 9}, {"name": "b", "label": "first", "total": 2}],
        )
    assert (new, await _rows(db)) == (1, {"a": ("first", 1), "b": ("first", 2)})


async def test_insert_ignore_returning_names_the_new_rows(db: Database) -> None:
    async with db.transaction() as session:
        await insert_ignore(session, tally, {"name": "a", "label": "x", "total": 1})
        new = await insert_ignore_returning(
            session,
            tally,
            [{"name": "a", "label": "x", "total": 1}, {"name": "c", "label": "x", "total": 1}],
            tally.c.name,
        )
    assert new == ["c"]


async def test_upsert_replaces_every_non_key_column_by_default(db: Database) -> None:
    async with db.transaction() as session:
        await upsert(session, tally, {"name": "a", "label": "old", "total": 1}, ["name"])
        await upsert(session, tally, {"name": "a", "label": "new", "total": 5}, ["name"])
    assert await _rows(db) == {"a": ("new", 5)}


async def test_upsert_adds_measures_and_keeps_what_it_does_not_replace(db: Database) -> None:
    rows = [{"name": "a", "label": "kept", "total": 2}, {"name": "b", "label": "kept", "total": 3}]
    async with db.transaction() as session:
        await upsert(session, tally, rows, ["name"], replace=(), add=["total"])
        await upsert(
            session, tally, [{**r, "label": "ignored"} for r in rows], ["name"], replace=(), add=["total"]
        )
    assert await _rows(db) == {"a": ("kept", 4), "b": ("kept", 6)}


async def test_upsert_set_builder_keeps_the_larger_value(db: Database) -> None:
    async with db.transaction() as session:
        for total in (5, 3, 8):
            await upsert(
                session,
                tally,
                {"name": "a", "label": "x", "total": total},
                ["name"],
                replace=(),
                set_=lambda new: {"total": greatest(session, tally.c.total, new.total)},
            )
    assert await _rows(db) == {"a": ("x", 8)}


async def test_conditional_upsert_updates_only_where_the_condition_holds(db: Database) -> None:
    async with db.transaction() as session:
        claim = upsert_statement(
            session, tally, ["name"], add=["total"], where=lambda new: tally.c.total + new.total <= 10
        )
        for amount in (6, 6, 4):
            await session.execute(claim.values(name="a", label="x", total=amount))
    assert await _rows(db) == {"a": ("x", 10)}
