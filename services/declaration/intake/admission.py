"""Admission control for filings: a bounded number at once, a bounded queue, then 503.

A filing holds a database connection for its whole transaction. Without a bound, an
overload piles requests up inside the service until the connection pool times out after
30 s and every one of them fails late. With one, at most ``concurrency`` filings run,
at most ``queue_limit`` wait (each at most ``wait_seconds``), and the rest are told at
once to come back (503 ``service.overloaded`` with ``Retry-After``) — the gateway and
the SDK retry 503s with backoff.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from shared.problems import ProblemError, problem_type

OVERLOADED = problem_type(
    "service.overloaded",
    503,
    "Too many filings in progress",
    "Retry after the number of seconds in Retry-After.",
)


class Admission:
    """A semaphore with a bounded, time-limited queue."""

    def __init__(self, concurrency: int, queue_limit: int, wait_seconds: float) -> None:
        self._slots = asyncio.Semaphore(concurrency)
        self._waiting = 0
        self.queue_limit = queue_limit
        self.wait_seconds = wait_seconds

    @property
    def waiting(self) -> int:
        """Filings waiting for a slot now."""
        return self._waiting

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Run the body in a slot, or raise 503 when the queue is full or the wait too long."""
        if not self._slots.locked():
            await self._slots.acquire()  # a free slot: taken at once, without suspending
        else:
            if self._waiting >= self.queue_limit:
                raise _overloaded(f"{self._waiting} filings are already waiting")
            self._waiting += 1
            try:
                await asyncio.wait_for(self._slots.acquire(), self.wait_seconds)
            except TimeoutError as exc:
                raise _overloaded(f"no slot within {self.wait_seconds:g} s") from exc
            finally:
                self._waiting -= 1
        try:
            yield
        finally:
            self._slots.release()


def _overloaded(detail: str) -> ProblemError:
    return ProblemError(
        OVERLOADED, f"The declaration service is at capacity: {detail}.", headers={"Retry-After": "1"}
    )
