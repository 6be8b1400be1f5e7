"""One active replica for a background loop, elected with a PostgreSQL advisory lock.

Several replicas of a service may run the same loop (the outbox relay, the customs
exchange); only one may work at a time, or events and customs messages would be sent
twice and out of order. A session-level advisory lock, held on a dedicated connection,
elects it: when the holder dies its session ends and the lock passes to another replica.
SQLite is single-process (the embedded mode), so there the loop always leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import zlib
from collections.abc import Awaitable, Callable

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.db import Database


class Leadership:
    """Holds (or tries to take) the advisory lock named ``name`` on ``db``."""

    #: How often a leader checks that its lock session is still alive.
    CHECK_SECONDS = 5.0
    #: How often a standby tries to take the lead: a dead leader's lock is free as soon as
    #: PostgreSQL sees its session end, so a standby leads at most this long after (plus
    #: its own connection to the broker) — the failover time docs/operations.md states.
    RETRY_SECONDS = 2.0

    def __init__(self, db: Database, name: str) -> None:
        self.db = db
        self.key = zlib.crc32(name.encode())
        self._conn: AsyncConnection | None = None
        self._checked = 0.0
        #: None until the first try; then whether this replica leads. A replica that does not
        #: lead is a healthy standby (readiness says so), not one still "connecting".
        self.leading: bool | None = None

    async def acquire(self) -> bool:
        """True when this replica leads (now or already); never waits for the lock.

        A leader whose lock session died (database restart, network cut) has lost the lock
        to whoever asks next: every few seconds it checks, and competes again if so.
        """
        self.leading = await self._acquire()
        return self.leading

    async def _acquire(self) -> bool:
        if self.db.dialect != "postgresql":
            return True
        if self._conn is not None:
            if time.monotonic() - self._checked < self.CHECK_SECONDS:
                return True
            try:
                await self._conn.execute(select(1))
                self._checked = time.monotonic()
                return True
            except Exception:  # the session is gone, and its lock with it
                await self._drop()
        conn = await self.db.engine.connect()
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        try:
            got = (await conn.execute(select(func.pg_try_advisory_lock(self.key)))).scalar()
        except BaseException:
            await conn.close()
            raise
        if got:
            self._conn, self._checked = conn, time.monotonic()
            return True
        await conn.close()
        return False

    async def release(self) -> None:
        """Give the lead up.

        The lock belongs to the database session, and closing a pooled connection keeps
        the session (it only goes back to the pool), so the lock is released explicitly.
        """
        conn, self._conn = self._conn, None
        self.leading = None
        if conn is None:
            return
        try:
            await conn.execute(select(func.pg_advisory_unlock(self.key)))
            await conn.close()
        except Exception:  # a broken session: discarding it ends the session and the lock
            await conn.invalidate()

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):  # already unusable; the pool forgets it either way
                await conn.invalidate()


async def sleep_unless_stopped(stop: asyncio.Event, seconds: float) -> None:
    """Wait ``seconds``, or less if ``stop`` is set meanwhile."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass


async def run_while_leading(
    stop: asyncio.Event,
    leadership: Leadership,
    step: Callable[[], Awaitable[None]],
    on_failure: Callable[[], Awaitable[None]],
    log: logging.Logger,
    what: str,
) -> None:
    """Run ``step`` over and over until ``stop``, only while this replica leads.

    ``step`` does one pass and waits for more work itself. A failing pass is logged,
    ``on_failure`` drops whatever connection it broke, and the loop backs off (0.5 s
    doubling to 10 s) before trying again; the lead is given up when the loop ends.
    """
    backoff = 0.5
    while not stop.is_set():
        try:
            if not await leadership.acquire():
                await sleep_unless_stopped(stop, leadership.RETRY_SECONDS)
                continue
            await step()
            backoff = 0.5
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the broker, the database or the transport is away: keep trying
            log.warning(f"{what} failed; retrying", extra={"error": repr(exc), "backoff_s": backoff})
            await on_failure()
            await sleep_unless_stopped(stop, backoff)
            backoff = min(backoff * 2, 10.0)
    await leadership.release()
