"""SQL of Idempotency-Key records.

Built from a unit of work's session, or — on the request path — from the autocommitted
single-statement connection of :meth:`shared.db.Database.single_statement` (one INSERT
for a new key, one UPDATE to store its answer, without BEGIN and COMMIT round trips).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select, update

from services.gateway.idempotency.models import IdempotencyRecord
from shared.kit.sql import Executor, insert_ignore
from shared.models import table_of


def _key(party_id: str, key: str) -> Any:
    return (IdempotencyRecord.party_id == party_id) & (IdempotencyRecord.key == key)


class IdempotencyRepository:
    """Reads and writes ``idempotency_records`` on one executor (session or connection)."""

    def __init__(self, executor: Executor) -> None:
        self.executor = executor

    async def claim_new(self, values: dict[str, Any]) -> bool:
        """Insert the record if the key is new to the party; True if it was."""
        return 0 < await insert_ignore(self.executor, table_of(IdempotencyRecord), values)

    async def locked(self, party_id: str, key: str) -> IdempotencyRecord | None:
        """The record, locked until the transaction ends (a session's, on PostgreSQL)."""
        row: IdempotencyRecord | None = await self.executor.scalar(
            select(IdempotencyRecord).where(_key(party_id, key)).with_for_update()
        )
        return row

    async def restart(self, party_id: str, key: str, values: dict[str, Any]) -> None:
        """Start the record over for a new execution (expired, or left by a stopped replica)."""
        await self.executor.execute(
            update(IdempotencyRecord)
            .where(_key(party_id, key))
            .values(
                **{k: v for k, v in values.items() if k not in ("party_id", "key")},
                response_status=None,
                response_headers=None,
                response_body=None,
            )
        )

    async def complete(
        self, party_id: str, key: str, status: int, headers: dict[str, str], body: bytes
    ) -> None:
        """Store the answer."""
        await self.executor.execute(
            update(IdempotencyRecord)
            .where(_key(party_id, key))
            .values(state="completed", response_status=status, response_headers=headers, response_body=body)
        )

    async def release(self, party_id: str, key: str) -> None:
        """Delete the record if it is still in progress."""
        await self.executor.execute(
            delete(IdempotencyRecord).where(_key(party_id, key), IdempotencyRecord.state == "in_progress")
        )

    async def get(self, party_id: str, key: str) -> IdempotencyRecord | None:
        """The record, or None (needs a session)."""
        row: IdempotencyRecord | None = await self.executor.scalar(
            select(IdempotencyRecord).where(_key(party_id, key))
        )
        return row

    async def purge(self, now: dt.datetime) -> int:
        """Delete expired records; how many."""
        result = await self.executor.execute(
            delete(IdempotencyRecord).where(IdempotencyRecord.expires_at <= now)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
