"""Fixtures for the whole suite: the real broker, real PostgreSQL and SQLite databases."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.support.infra import Broker, create_pg_database, drop_pg_database


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    """One tansu broker for the session (tests use their own topics or consumer groups)."""
    instance = Broker(log_dir=tmp_path_factory.mktemp("broker")).start()
    yield instance
    instance.stop()


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[Broker]:
    """A broker of the test alone: one it may stop and restart, or whose topics and consumer
    groups carry nothing that other tests published."""
    instance = Broker(log_dir=tmp_path).start()
    yield instance
    instance.stop()


@pytest.fixture(scope="module")
def module_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    """A broker of one test module: for platforms whose consumers must not first catch up on
    the events every earlier test published to the session's broker."""
    instance = Broker(log_dir=tmp_path_factory.mktemp("module-broker")).start()
    yield instance
    instance.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    url = await create_pg_database()
    try:
        yield url
    finally:
        await drop_pg_database(url)


@pytest.fixture
async def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite file (for tests whose point is not the database)."""
    return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
