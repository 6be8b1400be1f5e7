"""One request budget, from which the gateway's timeouts and the services' admission limits follow.

``DDT_REQUEST_BUDGET_SECONDS`` (shared by every service; default 1 s) is how long an
interactive request — a filing — may take from the gateway's door to its answer. Under
overload a request is either taken and answered well inside it, or refused at once with
503 and ``Retry-After``; it never waits out the budget in a queue and times out inside.
Everything else is derived here, so the gateway and the services cannot disagree:

* ``queue_seconds`` (a quarter of the budget): the longest a request may wait before its
  work starts — for a connection to its service at the gateway, in the service's socket
  and event loop, and for an admission slot. The gateway stamps every forwarded request
  with the wall-clock instant by which its work must start (:data:`START_BY_HEADER`,
  epoch milliseconds: its arrival plus ``queue_seconds``); the service refuses a request
  whose instant has passed before it parses the body, and waits for a slot no longer than
  it. The remaining three quarters are for the work itself and the answer.
* ``connect_timeout_seconds``: the gateway's connect timeout (connecting is waiting at the
  door too) — ``queue_seconds``.
* ``retry_after_seconds``: the ``Retry-After`` of every refusal — the budget, rounded up to
  whole seconds (at least 1): by then the requests that were taken have been answered.

The gateway's *read* timeout (``DDT_GATEWAY_UPSTREAM_TIMEOUT_SECONDS``) is the ceiling for
the long synchronous operations that are not admission-controlled (a reward run, a
reconciliation: seconds to tens of seconds); it must be at least the budget.

The wall-clock stamp assumes the gateway's and the services' clocks agree to well within
``queue_seconds`` (NTP on every host does); a service trusts the stamp only as far as its
own ``queue_seconds`` allows, so a skewed or missing stamp can shorten a wait, never
lengthen it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

START_BY_HEADER = "x-ddt-start-by"
"""Epoch milliseconds by which a forwarded request's work must have started."""

QUEUE_SHARE = 0.25
"""The share of the budget a request may spend waiting before its work starts."""


@dataclass(frozen=True)
class RequestBudget:
    """The derivations of one budget (seconds)."""

    seconds: float

    def __post_init__(self) -> None:
        if not self.seconds > 0:
            raise ValueError("the request budget must be positive")

    @property
    def queue_seconds(self) -> float:
        """Longest wait before a request's work starts (gateway connect, socket, admission slot)."""
        return self.seconds * QUEUE_SHARE

    @property
    def connect_timeout_seconds(self) -> float:
        """The gateway's connect timeout to a service."""
        return self.queue_seconds

    @property
    def retry_after_seconds(self) -> int:
        """``Retry-After`` of a refusal: the budget in whole seconds, at least 1."""
        return max(1, math.ceil(self.seconds))

    def start_by_stamp(self, arrived_wall: float) -> str:
        """The :data:`START_BY_HEADER` value for a request that reached the gateway at ``arrived_wall``."""
        return str(int((arrived_wall + self.queue_seconds) * 1000))

    def start_by(
        self,
        stamp: str | None,
        *,
        wall: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> float:
        """The monotonic instant by which a request received now must start its work.

        ``stamp`` is the gateway's :data:`START_BY_HEADER` (None or unreadable: a request
        that did not come through the gateway, which gets ``queue_seconds`` from now). The
        stamp can only bring the instant closer: at most ``queue_seconds`` from now.
        """
        now = monotonic()
        limit = now + self.queue_seconds
        if not stamp:
            return limit
        try:
            left = int(stamp) / 1000 - wall()
        except ValueError:
            return limit
        return min(limit, now + left)
