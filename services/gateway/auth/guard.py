"""The per-request checks that need state shared by every replica: the nonce, the rate
limit, and the registry generation (which tells whether a cached registry entry is current).

* :class:`RedisGuard` (``DDT_REDIS_URL`` set) does all three in **one** Lua script, one
  round trip: ``SET nonce NX EX 600``, the credential's token bucket, ``GET generation``.
  If Redis fails: a signed request is refused with 503 (replay protection fails closed);
  a bearer request falls back to the in-process bucket and is served from the database
  (rate limiting fails open to per-replica limits — see docs/gateway.md §7).
* :class:`LocalGuard` (no Redis): nonces in the database, in-process buckets, and no
  generation — so the registry is read from the database on every request.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from sdk.signing import NONCE_RETENTION_SECONDS
from services.gateway.auth.nonces import DatabaseNonceStore
from services.gateway.ratelimit.bucket import Decision, LocalTokenBucket
from shared.problems import SERVICE_UNAVAILABLE, ProblemError

log = logging.getLogger("ddt.gateway.guard")

# KEYS: nonce, bucket, generation. ARGV: nonce ttl, rate/s, capacity, check-nonce flag.
# Returns {nonce_fresh, allowed, retry_after_ms, generation}. Timed by the Redis clock.
_GUARD_LUA = """
local generation = redis.call('GET', KEYS[3]) or '0'
if ARGV[4] == '1' then
  if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', tonumber(ARGV[1])) then
    return {0, 0, 0, generation}
  end
end
local rate = tonumber(ARGV[2])
local capacity = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[2], 'tokens', 'ts')
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
redis.call('HSET', KEYS[2], 'tokens', tostring(tokens), 'ts', now)
redis.call('PEXPIRE', KEYS[2], math.ceil(capacity * 1000 / rate) + 1000)
return {1, allowed, retry_ms, generation}
"""  # noqa: S105 - a Lua script, not a password


def generation_key(prefix: str) -> str:
    """The Redis key of the registry generation."""
    return f"{prefix}registry:generation"


async def bump_generation(client: aioredis.Redis, prefix: str) -> None:
    """Mark every replica's cached registry entries stale (after a committed registry change)."""
    await client.incr(generation_key(prefix))


@dataclass(frozen=True, slots=True)
class GuardResult:
    """What the shared state said about one request."""

    nonce_fresh: bool
    decision: Decision
    generation: int | None  # None: no shared generation, do not serve from a cache


class RedisGuard:
    """Nonce, bucket and generation in one Redis round trip."""

    def __init__(self, client: aioredis.Redis, prefix: str, rate: float, capacity: int) -> None:
        self.client = client
        self.prefix = prefix
        self.rate = rate
        self.capacity = capacity
        self.local = LocalTokenBucket(rate, capacity)
        self._script = client.register_script(_GUARD_LUA)
        self.generation_key = generation_key(prefix)
        self._last_warning = 0.0
        self.redis_failures = 0

    async def check(self, credential_id: str, nonce: str | None) -> GuardResult:
        """Record the nonce (if any), take a token, read the registry generation."""
        keys = [
            f"{self.prefix}nonce:{credential_id}:{nonce or '-'}",
            f"{self.prefix}rl:{credential_id}",
            self.generation_key,
        ]
        try:
            fresh, allowed, retry_ms, generation = await self._script(
                keys=keys, args=[NONCE_RETENTION_SECONDS, self.rate, self.capacity, "1" if nonce else "0"]
            )
        except (RedisError, OSError) as exc:
            self.redis_failures += 1
            self._warn(exc)
            if nonce is not None:
                raise ProblemError(
                    SERVICE_UNAVAILABLE,
                    "Replay protection is unavailable; retry shortly.",
                    headers={"Retry-After": "5"},
                ) from None
            return GuardResult(True, self.local.take(credential_id), None)
        decision = Decision(True) if allowed else Decision(False, max(1, math.ceil(int(retry_ms) / 1000)))
        return GuardResult(bool(fresh), decision, int(generation))

    async def bump(self) -> None:
        """The registry changed (committed): every replica's cached entries are now stale."""
        try:
            await bump_generation(self.client, self.prefix)
        except (RedisError, OSError) as exc:
            # Entries also expire by age (RegistryCache.max_age), which bounds the damage.
            log.error("could not bump the registry generation", extra={"error": repr(exc)})

    def _warn(self, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._last_warning > 10:  # one line per 10 s, not one per request
            self._last_warning = now
            log.warning(
                "Redis unavailable: signed requests refused, bearer requests limited per replica",
                extra={"error": repr(exc)},
            )


class LocalGuard:
    """Without Redis: nonces in the database, buckets in-process, no shared generation."""

    def __init__(self, nonces: DatabaseNonceStore, rate: float, capacity: int) -> None:
        self.nonces = nonces
        self.local = LocalTokenBucket(rate, capacity)

    async def check(self, credential_id: str, nonce: str | None) -> GuardResult:
        """Record the nonce (if any) and take a token."""
        if nonce is not None and not await self.nonces.remember(credential_id, nonce):
            return GuardResult(False, Decision(True), None)
        return GuardResult(True, self.local.take(credential_id), None)

    async def bump(self) -> None:
        """Nothing is cached without a shared generation."""
