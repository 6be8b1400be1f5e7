"""One transaction per unit of work; money exact and time aware on both databases."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, Table, func, insert, select

from shared.db import Database
from shared.sqltypes import Money, UTCDateTime

metadata = MetaData()
ledger = Table(
    "ledger",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("amount", Money, nullable=True),
    Column("at", UTCDateTime, nullable=True),
)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield database
    await database.dispose()


async def count(db: Database) -> int:
    async with db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(ledger)))


async def test_a_unit_of_work_commits_on_success(db: Database) -> None:
    async with db.transaction() as session:
        await session.execute(insert(ledger).values(amount=Decimal("1")))
    assert await count(db) == 1


async def test_a_unit_of_work_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(ZeroDivisionError):
        async with db.transaction() as session:
            await session.execute(insert(ledger).values(amount=Decimal("1")))
            _ = 1 / 0
    assert await count(db) == 0


async def test_money_keeps_nineteen_digits_with_five_decimals(db: Database) -> None:
    value = Decimal("12345678901234.56789")
    async with db.transaction() as session:
        await session.execute(insert(ledger).values(amount=value))
    async with db.transaction() as session:
        assert await session.scalar(select(ledger.c.amount)) == value


async def test_money_refuses_float(db: Database) -> None:
    with pytest.raises(Exception, match="Decimal"):
        async with db.transaction() as session:
            await session.execute(insert(ledger).values(amount=0.1))


async def test_times_come_back_timezone_aware_in_utc(db: Database) -> None:
    beijing = dt.datetime(2026, 11, 11, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    async with db.transaction() as session:
        await session.execute(insert(ledger).values(at=beijing))
    async with db.transaction() as session:
        stored = await session.scalar(select(ledger.c.at))
    assert (stored, stored.tzinfo) == (beijing, dt.UTC)


async def test_naive_times_are_refused(db: Database) -> None:
    with pytest.raises(Exception, match="naive"):
        async with db.transaction() as session:
            await session.execute(insert(ledger).values(at=dt.datetime(2026, 1, 1)))  # noqa: DTZ001


@settings(max_examples=40, deadline=None)
@given(
    st.decimals(
        min_value=Decimal("-99999999999999"),
        max_value=Decimal("99999999999999"),
        places=5,
        allow_nan=False,
        allow_infinity=False,
    )
)
async def test_money_round_trips_exactly_on_sqlite(
    tmp_path_factory: pytest.TempPathFactory, value: Decimal
) -> None:
    # Hypothesis and function-scoped fixtures don't mix; a module-level engine per example is cheap on SQLite.
    path = tmp_path_factory.mktemp("money") / "m.db"
    database = Database(f"sqlite+aiosqlite:///{path}")
    try:
        async with database.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        async with database.transaction() as session:
            await session.execute(insert(ledger).values(amount=value))
        async with database.transaction() as session:
            assert await session.scalar(select(ledger.c.amount)) == value
    finally:
        await database.dispose()
