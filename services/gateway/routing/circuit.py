"""A circuit breaker per upstream service.

Closed: calls pass; ``threshold`` consecutive failures (connection refused or
reset, timeouts, 502/503/504 answers) open it. Open: calls are refused at once
with 503 and ``Retry-After`` for ``open_seconds``. Then half-open: one probe call
passes; its success closes the circuit, its failure opens it again. State is per
gateway replica: each replica learns on its own that a service is down, which
costs at most ``threshold`` slow calls per replica.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable


class CircuitOpenError(Exception):
    """The circuit is open; retry after ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"circuit open for {retry_after} s")
        self.retry_after = retry_after


class CircuitBreaker:
    """Closed → open → half-open state machine for one upstream."""

    def __init__(
        self, threshold: int, open_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.threshold = threshold
        self.open_seconds = open_seconds
        self._clock = clock
        self.failures = 0
        self.opened_at: float | None = None
        self._probe_in_flight = False

    @property
    def state(self) -> str:
        """``closed``, ``open`` or ``half_open``."""
        if self.opened_at is None:
            return "closed"
        return "open" if self._clock() - self.opened_at < self.open_seconds else "half_open"

    def before_call(self) -> None:
        """Raise :class:`CircuitOpenError` unless a call may go out now."""
        state = self.state
        if state == "closed":
            return
        if state == "half_open" and not self._probe_in_flight:
            self._probe_in_flight = True
            return
        assert self.opened_at is not None
        remaining = self.open_seconds - (self._clock() - self.opened_at)
        raise CircuitOpenError(max(1, math.ceil(remaining)))

    def on_success(self) -> None:
        """A call succeeded: close."""
        self.failures = 0
        self.opened_at = None
        self._probe_in_flight = False

    def on_failure(self) -> None:
        """A call failed: count it, open at the threshold (or at once after a failed probe)."""
        self.failures += 1
        if self._probe_in_flight or self.failures >= self.threshold:
            self.opened_at = self._clock()
        self._probe_in_flight = False
