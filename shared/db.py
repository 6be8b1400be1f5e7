"""Async database access for SQLite (embedded) and PostgreSQL (production).

One code path for both: SQLAlchemy 2 async engines, one session and one
transaction per unit of work (an HTTP request, a consumed event, a relay batch).

SQLite specifics, chosen so the embedded mode is correct rather than merely fast:
WAL journal (readers never block the writer), foreign keys on, a generous busy
timeout, and ``BEGIN IMMEDIATE`` for every transaction — a deferred transaction that
reads and then writes can fail with SQLITE_BUSY at once, whatever the busy timeout.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

#: Key in ``session.info`` set when a unit of work staged outbox events; after commit
#: the database notifies its listeners (the outbox relay) so events leave at once.
OUTBOX_DIRTY = "ddt_outbox_dirty"


def is_sqlite(url: str) -> bool:
    """True for a SQLite URL."""
    return url.startswith("sqlite")


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling would emit BEGIN (deferred) itself;
        # turn it off and emit BEGIN IMMEDIATE below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """An engine, a session factory and the after-commit hook for the outbox."""

    def __init__(self, url: str, *, pool_size: int = 10, echo: bool = False, pre_ping: bool = True) -> None:
        self.url = url
        kwargs: dict[str, Any] = {"echo": echo}
        if is_sqlite(url):
            # Writers are serialised by BEGIN IMMEDIATE; a few pooled connections let
            # readers and the relay wait in SQLite's busy handler instead of queueing here.
            kwargs.update(pool_size=min(pool_size, 5), max_overflow=0)
        else:
            # pre_ping tests a pooled connection before each use: with asyncpg that is three
            # round trips (BEGIN, ";", ROLLBACK) per transaction; services may trade it away.
            kwargs.update(
                pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=pre_ping, pool_recycle=1800
            )
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if is_sqlite(url):
            _configure_sqlite(self.engine)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self._commit_listeners: list[Callable[[], None]] = []

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def on_outbox_commit(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after any transaction that staged outbox events commits."""
        self._commit_listeners.append(listener)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commit on success, roll back on any exception."""
        async with self.sessionmaker() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
            if session.info.pop(OUTBOX_DIRTY, False):
                for listener in self._commit_listeners:
                    listener()

    @asynccontextmanager
    async def single_statement(self) -> AsyncIterator[AsyncConnection]:
        """A connection for ONE statement that needs no transaction around it.

        On PostgreSQL it runs in autocommit (a statement is atomic on its own), which
        saves the BEGIN and COMMIT round trips of a unit of work — worth it on hot paths
        such as the gateway's idempotency records. SQLite gets an ordinary transaction.
        """
        if self.dialect == "postgresql":
            async with self.engine.connect() as conn:
                yield await conn.execution_options(isolation_level="AUTOCOMMIT")
        else:
            async with self.engine.begin() as conn:
                yield conn

    async def ping(self, timeout: float = 2.0) -> None:
        """Raise if the database does not answer ``SELECT 1`` within ``timeout`` seconds."""
        async with asyncio.timeout(timeout):
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
