"""Opaque keyset cursors and the list envelope: every row once, bad cursors a 422."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, String, Table, select

from shared.db import Database
from shared.kit.pagination import Keyset, Page, PageRequest
from shared.kit.repository import Repository
from shared.problems import ProblemError
from shared.sqltypes import UTCDateTime

metadata = MetaData()
items = Table(
    "kit_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("colour", String(10), nullable=False),
)
NEWEST_FIRST = Keyset([items.c.created_at, items.c.id], ["datetime", "int"])
T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        # Ten rows sharing three timestamps: the id breaks the ties.
        await conn.execute(
            items.insert(),
            [
                {
                    "id": i,
                    "created_at": T0 + dt.timedelta(minutes=i % 3),
                    "colour": "red" if i % 2 else "blue",
                }
                for i in range(1, 11)
            ],
        )
    yield database
    await database.dispose()


async def _walk(db: Database, limit: int, colour: str | None = None) -> list[list[int]]:
    pages: list[list[int]] = []
    cursor: str | None = None
    while True:
        async with db.transaction() as session:
            stmt = select(items)
            if colour:
                stmt = stmt.where(items.c.colour == colour)
            rows, cursor = await Repository(session).page(
                stmt, NEWEST_FIRST, PageRequest(cursor, limit), lambda r: (r.created_at, r.id), scalars=False
            )
        pages.append([r.id for r in rows])
        if cursor is None:
            return pages


async def test_pages_cover_every_row_once_in_order(db: Database) -> None:
    pages = await _walk(db, 3)
    expected = sorted(range(1, 11), key=lambda i: (i % 3, i), reverse=True)
    assert [i for page in pages for i in page] == expected


async def test_a_full_last_page_promises_no_further_page(db: Database) -> None:
    assert [len(p) for p in await _walk(db, 5)] == [5, 5]


async def test_a_filtered_list_is_not_cut_short(db: Database) -> None:
    assert sorted(i for page in await _walk(db, 2, "red") for i in page) == [1, 3, 5, 7, 9]


@given(st.integers(-(2**63), 2**63 - 1), st.datetimes(timezones=st.just(dt.UTC)))
def test_a_cursor_decodes_to_the_values_it_was_made_from(ident: int, at: dt.datetime) -> None:
    assert NEWEST_FIRST.decode(NEWEST_FIRST.encode([at, ident])) == (at, ident)


@pytest.mark.parametrize(
    "cursor",
    [
        "28991149296251566030848",  # a raw number, not a cursor
        NEWEST_FIRST.encode(["2026-01-01T00:00:00+00:00", 2**70]),  # beyond what the database holds
        NEWEST_FIRST.encode(["2026-01-01T00:00:00", 1]),  # a time without a zone
        NEWEST_FIRST.encode([1]),  # another list's cursor
        "Zm9vYmFy%%%",
        "非ASCII",
    ],
)
def test_a_cursor_the_list_did_not_issue_is_a_422_naming_the_parameter(cursor: str) -> None:
    with pytest.raises(ProblemError) as caught:
        NEWEST_FIRST.decode(cursor, "before")
    assert (caught.value.status, caught.value.errors[0]["pointer"]) == (422, "/query/before")  # type: ignore[index]


def test_the_envelope_names_items_and_next_cursor() -> None:
    assert set(Page[int](items=[1]).model_dump()) == {"items", "next_cursor"}
