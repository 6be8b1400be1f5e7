"""Per-credential token buckets.

This is the in-process bucket (no Redis, or Redis failing). The shared bucket is the
same algorithm in the Redis guard script (:mod:`services.gateway.auth.guard`): one
hash per credential, updated atomically by Lua and timed by the Redis clock.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether a request may pass, and if not, after how many seconds to retry."""

    allowed: bool
    retry_after: int = 0


class LocalTokenBucket:
    """In-process buckets (one replica only, or the fallback while Redis is away)."""

    def __init__(self, rate: float, capacity: int, clock: object = time.monotonic) -> None:
        self.rate = rate
        self.capacity = capacity
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, key: str) -> Decision:
        """Take one token from ``key``'s bucket."""
        now = self._clock()  # type: ignore[operator]
        tokens, ts = self._buckets.get(key, (float(self.capacity), now))
        tokens = min(self.capacity, tokens + (now - ts) * self.rate)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            return Decision(True)
        self._buckets[key] = (tokens, now)
        return Decision(False, max(1, math.ceil((1 - tokens) / self.rate)))
