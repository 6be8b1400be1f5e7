"""Writing the audit log: one row per call, batched.

Rows are queued in memory and inserted in batches every ``flush_seconds`` (and at
shutdown), so a call costs the gateway a list append, not a database write. The
price: a replica killed with SIGKILL loses at most the last ``flush_seconds`` of
rows. The table itself is append-only (triggers refuse UPDATE, and DELETE except
the retention purge).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass, fields

from services.gateway.audit.repository import AuditRepository
from shared.db import Database

log = logging.getLogger("ddt.gateway.audit")

_MAX_QUEUE = 50_000


@dataclass(slots=True)
class AuditRecord:
    """One call."""

    occurred_at: dt.datetime
    request_id: str
    client_request_id: str | None
    party_id: str | None
    credential_id: str | None
    auth_method: str | None
    operation: str
    method: str
    path: str
    object_id: str | None
    status: int
    outcome: str
    problem_code: str | None
    duration_us: int


_FIELDS = tuple(f.name for f in fields(AuditRecord))


def outcome_of(status: int) -> str:
    """Coarse outcome for queries: ok, denied (401/403/429), refused (other 4xx), error (5xx)."""
    if status < 400:
        return "ok"
    if status in (401, 403, 429):
        return "denied"
    return "refused" if status < 500 else "error"


class AuditWriter:
    """Queues audit records and inserts them in batches."""

    def __init__(self, db: Database, flush_seconds: float = 0.2) -> None:
        self.db = db
        self.flush_seconds = flush_seconds
        self._queue: list[AuditRecord] = []
        self._lock = asyncio.Lock()

    def record(self, entry: AuditRecord) -> None:
        """Queue one record (never blocks the request)."""
        if len(self._queue) >= _MAX_QUEUE:
            # The database is away for long: keep the newest rows' room bounded, and say so.
            log.error(
                "audit queue full; dropping the oldest record",
                extra={"request_id": self._queue[0].request_id},
            )
            self._queue.pop(0)
        entry.path = entry.path[:2000]
        self._queue.append(entry)

    async def flush(self) -> int:
        """Insert everything queued; returns how many rows were written."""
        async with self._lock:
            batch, self._queue = self._queue, []
            if not batch:
                return 0
            try:
                async with self.db.transaction() as session:
                    await AuditRepository(session).append(
                        [{n: getattr(r, n) for n in _FIELDS} for r in batch]
                    )
            except Exception:
                self._queue[:0] = batch  # keep them for the next try
                raise
            return len(batch)

    async def run(self, stop: asyncio.Event) -> None:
        """Flush periodically until ``stop``; a last flush on the way out."""
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), self.flush_seconds)
            except TimeoutError:
                pass
            try:
                await self.flush()
            except Exception as exc:
                log.warning("audit flush failed; retrying", extra={"error": repr(exc)})
        try:
            await self.flush()
        except Exception:
            log.exception("final audit flush failed")
