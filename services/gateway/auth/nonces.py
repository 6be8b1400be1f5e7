"""Remembering nonces in the database, so a signed request is accepted once.

Used when Redis is not configured (with Redis, the nonce is a ``SET NX EX`` inside the
guard script, see :mod:`services.gateway.auth.guard`). An ``INSERT … ON CONFLICT DO
NOTHING`` on ``used_nonces`` is atomic and shared by every replica that uses the same
database — an in-process set would let a request replayed to another replica pass.
Expired rows are purged in the background.
"""

from __future__ import annotations

import datetime as dt
import logging

from sdk.signing import NONCE_RETENTION_SECONDS
from services.gateway.auth.repository import NonceRepository
from shared.db import Database
from shared.sqltypes import utcnow

log = logging.getLogger("ddt.gateway.nonces")


class DatabaseNonceStore:
    """Nonces in the gateway database (used when Redis is not configured)."""

    def __init__(self, db: Database, ttl: int = NONCE_RETENTION_SECONDS) -> None:
        self.db = db
        self.ttl = dt.timedelta(seconds=ttl)

    async def remember(self, key_id: str, nonce: str) -> bool:
        """Insert-if-absent; a row whose retention has run out may be taken again."""
        async with self.db.transaction() as session:
            return await NonceRepository(session).take(key_id, nonce, utcnow(), self.ttl)

    async def purge(self) -> int:
        """Delete expired nonces; returns how many."""
        async with self.db.transaction() as session:
            return await NonceRepository(session).purge(utcnow())
