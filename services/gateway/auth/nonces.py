"""Remembering nonces so a signed request is accepted once.

Two stores, chosen by configuration:

* Redis (``DDT_REDIS_URL`` set): ``SET key NX EX 600`` — atomic, shared by every
  replica, expires by itself. If Redis fails, signed requests are refused with 503
  (fail closed: replay protection is a security control).
* the gateway's database otherwise: an ``INSERT … ON CONFLICT DO NOTHING`` on
  ``used_nonces`` — also atomic and shared by every replica that uses the same
  database (an in-process set would let a request replayed to another replica pass).
  Expired rows are purged in the background.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Protocol

import redis.asyncio as aioredis
from redis.exceptions import RedisError
from sqlalchemy import delete, update

from sdk.signing import NONCE_RETENTION_SECONDS
from services.gateway.credentials.models import UsedNonce
from shared.db import Database
from shared.messaging.consumer import insert_ignore
from shared.problems import SERVICE_UNAVAILABLE, ProblemError
from shared.sqltypes import utcnow

log = logging.getLogger("ddt.gateway.nonces")


class NonceStore(Protocol):
    """Atomic insert-if-absent of (key id, nonce) for the retention window."""

    async def remember(self, key_id: str, nonce: str) -> bool:
        """True if the nonce was new (and is now remembered), False if seen before."""


class RedisNonceStore:
    """Nonces in Redis, shared by every gateway replica."""

    def __init__(self, client: aioredis.Redis, prefix: str, ttl: int = NONCE_RETENTION_SECONDS) -> None:
        self.client = client
        self.prefix = prefix
        self.ttl = ttl

    async def remember(self, key_id: str, nonce: str) -> bool:
        """SET NX EX: only the first request with this nonce sets the key.

        If Redis is away the request is refused (503): replay protection fails closed,
        because a fallback store would not know the nonces Redis remembered.
        """
        try:
            return bool(await self.client.set(f"{self.prefix}nonce:{key_id}:{nonce}", b"1", nx=True, ex=self.ttl))
        except (RedisError, OSError) as exc:
            log.warning("nonce store: Redis unavailable, refusing signed requests", extra={"error": repr(exc)})
            raise ProblemError(SERVICE_UNAVAILABLE, "Replay protection is unavailable; retry shortly.",
                               headers={"Retry-After": "5"}) from None


class DatabaseNonceStore:
    """Nonces in the gateway database (used when Redis is not configured)."""

    def __init__(self, db: Database, ttl: int = NONCE_RETENTION_SECONDS) -> None:
        self.db = db
        self.ttl = dt.timedelta(seconds=ttl)

    async def remember(self, key_id: str, nonce: str) -> bool:
        """Insert-if-absent; a row whose retention has run out may be taken again."""
        now = utcnow()
        async with self.db.transaction() as session:
            if await insert_ignore(session, UsedNonce.__table__,  # type: ignore[arg-type]
                                   {"key_id": key_id, "nonce": nonce, "expires_at": now + self.ttl}):
                return True
            result = await session.execute(
                update(UsedNonce)
                .where(UsedNonce.key_id == key_id, UsedNonce.nonce == nonce, UsedNonce.expires_at < now)
                .values(expires_at=now + self.ttl)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def purge(self) -> int:
        """Delete expired nonces; returns how many."""
        async with self.db.transaction() as session:
            result = await session.execute(delete(UsedNonce).where(UsedNonce.expires_at < utcnow()))
            return int(result.rowcount or 0)  # type: ignore[attr-defined]
