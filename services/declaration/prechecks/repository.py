"""The pre-check's own statements: advisory locks serialising filings that touch the same keys,
so check-then-insert is race-free.

On PostgreSQL each unit of work takes transaction-scoped advisory locks on every key
it is about to check or change (duplicate keys, the order/waybill keys matching
follows, the buyer of an inventory), all in ONE statement and in ascending order —
two transactions therefore never wait on each other in a cycle. A second filing of
the same order number waits for the first to commit, then sees it as a duplicate.

On SQLite every write transaction starts with ``BEGIN IMMEDIATE`` (shared.db), which
already serialises writers; nothing more is needed there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import text

from shared.kit.repository import Repository

_LOCK_MANY = text(
    "SELECT count(pg_advisory_xact_lock(k)) FROM "
    "(SELECT unnest(CAST(:keys AS bigint[])) AS k ORDER BY k) AS ordered"
)


def lock_id(key: str) -> int:
    """A signed 64-bit lock id for a key (a collision only serialises two unrelated keys)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


class KeyLocks(Repository):
    """Transaction-scoped advisory locks on business keys."""

    async def lock(self, keys: Iterable[str]) -> None:
        """Hold advisory locks on ``keys`` until the transaction ends (PostgreSQL; SQLite needs none)."""
        if self.dialect != "postgresql":
            return
        ids = sorted({lock_id(key) for key in keys})
        if ids:
            await self.session.execute(_LOCK_MANY, {"keys": ids})
