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

from sqlalchemy import delete, update

from sdk.signing import NONCE_RETENTION_SECONDS
from services.gateway.credentials.models import UsedNonce
from shared.db import Database
from shared.kit.sql import insert_ignore
from shared.sqltypes import utcnow

log = logging.getLogger("ddt.gateway.nonces")


class DatabaseNonceStore:
    """Nonces in the gateway database (used when Redis is not configured)."""

    def __init__(self, db: Database, ttl: int = NONCE_RETENTION_SECONDS) -> None:
        self.db = db
        self.ttl = dt.timedelta(seconds=ttl)

    async def remember(self, key_id: str, nonce: str) -> bool:
        """Insert-if-absent; a row whose retention has run out may be taken again."""
        now = utcnow()
        async with self.db.transaction() as session:
            if await insert_ignore(
                session,
                UsedNonce.__table__,  # type: ignore[arg-type]
                {"key_id": key_id, "nonce": nonce, "expires_at": now + self.ttl},
            ):
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
