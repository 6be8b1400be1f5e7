"""Admission control for filings: a bounded number at once, a bounded queue, a deadline, then 503.

A filing holds a database connection for its whole transaction. Without a bound, an
overload piles requests up inside the service until the connection pool times out after
30 s and every one of them fails late. With one, at most ``concurrency`` filings run,
at most ``queue_limit`` wait, and none waits past the instant by which its work must
start (its *start-by*, from the request budget: :mod:`shared.budget`). A filing whose
start-by has passed — it waited too long in the gateway, the socket or the event loop —
is refused at the door before its body is parsed; one still waiting at its start-by is
refused then; the rest are told at once to come back (503 ``service.overloaded`` with
``Retry-After``) — the gateway and the SDK retry 503s with backoff. So under any overload
a filing is either started within the budget's queue share or refused, never answered
after the client has given up.

The clock is injectable so that the deadline logic is tested deterministically.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from shared.budget import RequestBudget
from shared.problems import SERVICE_OVERLOADED, ProblemError

#: The same problem the gateway answers when it refuses a request at its door
#: (services.gateway.routing.inflight): one code for "at capacity, nothing executed".
OVERLOADED = SERVICE_OVERLOADED


class Admission:
    """A semaphore with a bounded queue whose waiters give up at their start-by instant."""

    def __init__(
        self,
        concurrency: int,
        queue_limit: int,
        budget: RequestBudget,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._slots = asyncio.Semaphore(concurrency)
        self._waiting = 0
        self.queue_limit = queue_limit
        self.budget = budget
        self._clock = clock

    @property
    def waiting(self) -> int:
        """Filings waiting for a slot now."""
        return self._waiting

    def start_by(self, stamp: str | None) -> float:
        """The monotonic instant by which a request carrying the gateway's ``stamp`` must start."""
        return self.budget.start_by(stamp, monotonic=self._clock)

    def check(self, start_by: float) -> None:
        """Refuse at the door (503) if ``start_by`` has passed; cheap, before any parsing."""
        late = self._clock() - start_by
        if late >= 0:
            raise self._overloaded(
                f"the request waited {late * 1000:.0f} ms past its start-by before it was read"
            )

    @asynccontextmanager
    async def slot(self, start_by: float | None = None) -> AsyncIterator[None]:
        """Run the body in a slot, or raise 503: queue full, or no slot by ``start_by``.

        ``start_by`` defaults to the budget's queue share from now (a call that did not
        come through the gateway, or work the service starts itself).
        """
        now = self._clock()
        deadline = now + self.budget.queue_seconds if start_by is None else start_by
        self.check(deadline)
        if not self._slots.locked():
            await self._slots.acquire()  # a free slot: taken at once, without suspending
        else:
            if self._waiting >= self.queue_limit:
                raise self._overloaded(f"{self._waiting} filings are already waiting")
            self._waiting += 1
            try:
                await asyncio.wait_for(self._slots.acquire(), deadline - now)
            except TimeoutError as exc:
                raise self._overloaded(f"no slot within {(deadline - now) * 1000:.0f} ms") from exc
            finally:
                self._waiting -= 1
            if self._clock() > deadline:
                # Woken after the start-by (a busy event loop): refuse rather than start late.
                self._slots.release()
                raise self._overloaded("a slot came free only after the request's start-by")
        try:
            yield
        finally:
            self._slots.release()

    def _overloaded(self, detail: str) -> ProblemError:
        return ProblemError(
            OVERLOADED,
            f"The declaration service is at capacity: {detail}.",
            headers={"Retry-After": str(self.budget.retry_after_seconds)},
        )
