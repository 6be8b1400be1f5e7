"""Per-credential token buckets: shared through Redis, or in-process.

Redis: one hash per credential holding (tokens, last refill in ms), updated by a
Lua script so read-refill-take-write is atomic however many gateway replicas
share it, and timed by the Redis server's clock so replicas' clocks cannot disagree.

If Redis fails, the limiter falls back to the in-process bucket (**fail open to
per-replica limits**, see docs/gateway.md): a Redis outage must not stop customs
filings, and each replica still bounds every credential, so the worst case is N
replicas × the limit, never unlimited.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

import redis.asyncio as aioredis
from redis.exceptions import RedisError

log = logging.getLogger("ddt.gateway.ratelimit")

# KEYS[1] bucket; ARGV: rate per second, capacity. Returns {allowed, retry_after_ms}.
_TOKEN_BUCKET_LUA = """
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = capacity
  ts = now
end
tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate / 1000)
local allowed = 0
local retry_ms = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  retry_ms = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity * 1000 / rate) + 1000)
return {allowed, retry_ms}
"""


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


class RateLimiter:
    """The gateway's limiter: Redis when configured, in-process otherwise or on Redis failure."""

    def __init__(
        self, rate: float, capacity: int, *, redis: aioredis.Redis | None = None, prefix: str = "ddt:gw:"
    ) -> None:
        self.local = LocalTokenBucket(rate, capacity)
        self.redis = redis
        self.prefix = prefix
        self.rate = rate
        self.capacity = capacity
        self._script = redis.register_script(_TOKEN_BUCKET_LUA) if redis is not None else None
        self._last_warning = 0.0
        self.redis_failures = 0

    async def take(self, credential_id: str) -> Decision:
        """One request's token for ``credential_id``."""
        if self._script is None:
            return self.local.take(credential_id)
        try:
            allowed, retry_ms = await self._script(keys=[f"{self.prefix}rl:{credential_id}"],
                                                   args=[self.rate, self.capacity])
        except (RedisError, OSError) as exc:
            self.redis_failures += 1
            now = time.monotonic()
            if now - self._last_warning > 10:  # one line per 10 s, not one per request
                self._last_warning = now
                log.warning("rate limiter: Redis unavailable, using per-replica buckets", extra={"error": repr(exc)})
            return self.local.take(credential_id)
        return Decision(bool(allowed), 0 if allowed else max(1, math.ceil(int(retry_ms) / 1000)))
