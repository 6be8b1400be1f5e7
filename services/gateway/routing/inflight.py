"""Refusing at the door: an in-flight limit per upstream service, derived from the request budget.

Under overload the gateway used to read, authenticate (signature, nonce and registry in
Redis) and answer every excess request before anything could refuse it, so the refusals
queued in its one event loop behind each other and took seconds. Here a request bound for
a service is counted *before* its body is read and before authentication; while the
service already has as many requests in flight as it can finish in the budget's queue
share, the request is answered at once with 503 ``service.overloaded`` and ``Retry-After``
— a few microseconds of the gateway's time instead of a full pass through the pipeline.

The limit follows the service's observed throughput (Little's law): the in-flight count
and the time a request holds its place are both followed as exponentially weighted moving
averages, their ratio estimates the requests the service completes per second, and

    limit = max(floor, ceil(throughput × budget.queue_seconds))

so a newly admitted request has at most about ``queue_seconds`` of work ahead of it — the
wait :mod:`shared.budget` allows before a request's work starts. The estimate is demand
limited (a quiet service looks slow to finish requests it was never sent); it corrects
itself because a request held at the limit and answered well inside the queue share
raises the next estimate, and ``floor`` (``DDT_GATEWAY_INFLIGHT_FLOOR``) keeps room for
bursts. Only requests answered normally teach the averages: a cancelled or failed one
(connection refused, an exception) releases its place without a sample.

Per replica, like the circuit breaker: each gateway replica guards its own share.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

from services.gateway.routing.table import resolve as resolve_route
from shared.budget import RequestBudget
from shared.middleware import send_problem
from shared.problems import SERVICE_OVERLOADED

#: Weight of each new sample in the moving averages: about the last ten answers count.
SMOOTHING = 0.1

#: Set in a request's ``scope["state"]`` by the proxy when its service did the request's work
#: (answered, and not by shedding it with 503 + Retry-After): only those holds are samples of
#: how fast the service finishes requests — a 401 the gateway answered itself is not.
UPSTREAM_ANSWERED = "upstream_answered"


class InflightLimit:
    """The in-flight count of one upstream service and the limit its observed throughput allows."""

    def __init__(
        self,
        service: str,
        budget: RequestBudget,
        *,
        floor: int,
        ceiling: int,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        if not 1 <= floor <= ceiling:
            raise ValueError("the in-flight floor must be at least 1 and at most the ceiling")
        self.service = service
        self.budget = budget
        self.floor = floor
        self.ceiling = ceiling
        self._clock = clock
        self.in_flight = 0
        self.limit = floor
        self._held: float | None = None  # EWMA of the seconds a request holds its place
        self._concurrency: float | None = None  # EWMA of the in-flight count when one is answered

    def try_enter(self) -> float | None:
        """Take a place and return its start instant, or None when the service is at its limit."""
        if self.in_flight >= self.limit:
            return None
        self.in_flight += 1
        return self._clock()

    def leave(self, entered: float, *, answered: bool) -> None:
        """Give the place back; an ``answered`` request teaches the throughput estimate."""
        if answered:
            self._observe(self._clock() - entered, self.in_flight)
        self.in_flight -= 1

    @property
    def throughput(self) -> float | None:
        """Estimated requests per second the service completes (None before the first answer)."""
        if self._held is None or self._concurrency is None:
            return None
        return self._concurrency / max(self._held, 1e-6)

    def _observe(self, held: float, concurrency: int) -> None:
        if self._held is None or self._concurrency is None:
            self._held, self._concurrency = held, float(concurrency)
        else:
            self._held += SMOOTHING * (held - self._held)
            self._concurrency += SMOOTHING * (concurrency - self._concurrency)
        rate = self.throughput or 0.0
        wanted = math.ceil(rate * self.budget.queue_seconds)
        self.limit = min(self.ceiling, max(self.floor, wanted))

    def refusal_detail(self) -> str:
        """The problem's detail when a request is refused."""
        rate = self.throughput
        seen = f" (it finishes about {rate:.0f} requests/s)" if rate is not None else ""
        return (
            f"The {self.service} service already has {self.in_flight} requests in flight, as many as it "
            f"can finish within {self.budget.queue_seconds * 1000:.0f} ms{seen}; nothing was executed."
        )


class InflightLimits:
    """One :class:`InflightLimit` per upstream service."""

    def __init__(self, services: Iterable[str], budget: RequestBudget, *, floor: int, ceiling: int) -> None:
        self.budget = budget
        self.by_service = {
            name: InflightLimit(name, budget, floor=floor, ceiling=ceiling) for name in services
        }

    def __getitem__(self, service: str) -> InflightLimit:
        return self.by_service[service]


class InflightDoor:
    """ASGI middleware: the in-flight check, before the body is read and before authentication.

    It runs right inside the request context (request id, access log, metrics) and outside
    the body limit, so a refused request costs its headers only; a refused request is never
    authenticated, never reaches idempotency, and its service never sees it. The place is
    held until the answer has been sent, whatever happens — also on errors and cancellation.
    """

    def __init__(self, app: ASGIApp, *, limits: Callable[[Scope], InflightLimits | None]) -> None:
        self.app = app
        self._limits = limits  # None until the app has started (the limits live in its proxy)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = resolve_route(scope["path"]) if scope["type"] == "http" else None
        limits = self._limits(scope) if route is not None else None
        if route is None or limits is None or route.service not in limits.by_service:
            await self.app(scope, receive, send)
            return
        limit = limits[route.service]
        entered = limit.try_enter()
        if entered is None:
            await send_problem(
                send,
                SERVICE_OVERLOADED,
                limit.refusal_detail(),
                headers={"Retry-After": str(limits.budget.retry_after_seconds)},
            )
            return
        answered = False
        try:
            await self.app(scope, receive, send)
            answered = bool(scope.get("state", {}).get(UPSTREAM_ANSWERED))
        finally:
            limit.leave(entered, answered=answered)
