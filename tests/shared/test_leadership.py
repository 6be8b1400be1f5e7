"""One replica leads a background loop: the advisory lock passes on only when released."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from shared.db import Database
from shared.leadership import Leadership, sleep_unless_stopped
from tests.support.infra import POSTGRES_URL, asyncpg_dsn, create_pg_database, drop_pg_database


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    url = await create_pg_database()
    try:
        yield url
    finally:
        await drop_pg_database(url)


@pytest.mark.postgres
async def test_a_second_replica_leads_only_after_the_first_lets_go(pg_url: str) -> None:
    database_url = pg_url
    first_db, second_db = Database(database_url), Database(database_url)
    name = f"test-loop:{uuid.uuid4().hex}"
    first, second = Leadership(first_db, name), Leadership(second_db, name)
    try:
        taken = [await first.acquire(), await second.acquire(), await first.acquire()]
        await first.release()
        taken.append(await second.acquire())
    finally:
        await first.release()
        await second.release()
        await first_db.dispose()
        await second_db.dispose()
    assert taken == [True, False, True, True]


async def test_on_sqlite_every_loop_leads(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'lead.db'}")
    try:
        assert [await Leadership(db, "x").acquire(), await Leadership(db, "x").acquire()] == [True, True]
    finally:
        await db.dispose()


async def test_a_stop_cuts_the_sleep_short() -> None:
    stop = asyncio.Event()
    stop.set()
    await asyncio.wait_for(sleep_unless_stopped(stop, 3600), 5)


@pytest.mark.postgres
async def test_a_leader_whose_session_died_competes_again(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Leadership, "CHECK_SECONDS", 0.0)
    first_db, second_db = Database(pg_url), Database(pg_url)
    first, second = Leadership(first_db, "test-loop:died"), Leadership(second_db, "test-loop:died")
    try:
        await first.acquire()
        admin = await asyncpg.connect(asyncpg_dsn(POSTGRES_URL))
        try:  # the database ends the leader's session (a restart or a network cut looks the same)
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = $1",
                first.key & 0xFFFFFFFF,
            )
        finally:
            await admin.close()
        taken = [await second.acquire(), await first.acquire()]
    finally:
        await first.release()
        await second.release()
        await first_db.dispose()
        await second_db.dispose()
    assert taken == [True, False]
