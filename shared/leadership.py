"""One active replica for a background loop, elected with a PostgreSQL advisory lock.

Several replicas of a service may run the same loop (the outbox relay, the customs
exchange); only one may work at a time, or events and customs messages would be sent
twice and out of order. A session-level advisory lock, held on a dedicated connection,
elects it: when the holder dies its session ends and the lock passes to another replica.
SQLite is single-process (the embedded mode), so there the loop always leads.
"""

from __future__ import annotations

import asyncio
import zlib

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.db import Database


class Leadership:
    """Holds (or tries to take) the advisory lock named ``name`` on ``db``."""

    def __init__(self, db: Database, name: str) -> None:
        self.db = db
        self.key = zlib.crc32(name.encode())
        self._conn: AsyncConnection | None = None

    async def acquire(self) -> bool:
        """True when this replica leads (now or already); never waits for the lock."""
        if self.db.dialect != "postgresql" or self._conn is not None:
            return True
        conn = await self.db.engine.connect()
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        if (await conn.execute(select(func.pg_try_advisory_lock(self.key)))).scalar():
            self._conn = conn
            return True
        await conn.close()
        return False

    async def release(self) -> None:
        """Give the lead up (closing the session releases the lock)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()


async def sleep_unless_stopped(stop: asyncio.Event, seconds: float) -> None:
    """Wait ``seconds``, or less if ``stop`` is set meanwhile."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass
