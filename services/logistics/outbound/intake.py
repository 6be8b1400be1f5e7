"""The order intake: orders arriving together are placed together.

A hot SKU serialises its reservations on one row; placed one transaction each, orders
queue for that row's lock, one commit at a time. The intake collects the orders that
arrive while a batch is being written and places them in the next transaction
(:func:`service.place`: one insert, one guarded update per SKU, one commit), so throughput
grows with the load instead of with the disk's fsync rate. A 2xx still means committed:
each caller is answered after its batch committed. A batch that fails as a whole is
retried order by order, so one bad order never takes the others down.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from services.logistics.outbound import service
from services.logistics.outbound.service import Placed, Prepared
from shared.db import Database
from shared.messaging.outbox import EventPublisher
from shared.service import Runtime

log = logging.getLogger("ddt.logistics.intake")

#: Orders written in one transaction at most.
MAX_BATCH = 100


@dataclass
class _Entry:
    prepared: Prepared
    done: asyncio.Future[Placed] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class OrderIntake:
    """Batches order placements into shared transactions (one running loop per process)."""

    def __init__(self, db: Database, publisher: EventPublisher, max_batch: int = MAX_BATCH) -> None:
        self.db = db
        self.publisher = publisher
        self.max_batch = max_batch
        self._queue: asyncio.Queue[_Entry] = asyncio.Queue()
        self._running = False

    async def submit(self, prepared: Prepared) -> Placed:
        """Place one prepared order with whatever else is waiting; its result once committed."""
        if not self._running:  # no loop (a tool, a test without the app): place it alone
            async with self.db.transaction() as session:
                [result] = await service.place(session, self.publisher, [prepared])
            return result
        entry = _Entry(prepared)
        await self._queue.put(entry)
        return await asyncio.shield(entry.done)

    async def run(self, stop: asyncio.Event) -> None:
        """The loop: take what is waiting (up to ``max_batch``), place it, answer; until stopped."""
        self._running = True
        try:
            while not stop.is_set() or not self._queue.empty():
                try:
                    first = await asyncio.wait_for(self._queue.get(), timeout=0.5)
                except TimeoutError:
                    continue
                batch = [first]
                while len(batch) < self.max_batch and not self._queue.empty():
                    batch.append(self._queue.get_nowait())
                await self._place(batch)
        finally:
            self._running = False

    async def _place(self, batch: list[_Entry]) -> None:
        try:
            async with self.db.transaction() as session:
                results = await service.place(session, self.publisher, [e.prepared for e in batch])
        except Exception as exc:
            if len(batch) == 1:
                log.exception("placing an order failed")
                _fail(batch[0], exc)
                return
            for entry in batch:  # one by one: only the order at fault fails
                await self._place([entry])
            return
        for entry, result in zip(batch, results, strict=True):
            if not entry.done.done():
                entry.done.set_result(result)


def _fail(entry: _Entry, exc: BaseException) -> None:
    if not entry.done.done():
        entry.done.set_exception(exc)


async def intake_loop(runtime: Runtime, stop: asyncio.Event) -> None:
    """The background task of the logistics service that runs the intake."""
    await runtime.components.get(OrderIntake).run(stop)
