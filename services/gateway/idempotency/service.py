"""Idempotency-Key semantics (draft-ietf-httpapi-idempotency-key-header; docs/signing.md §8).

A record per (party, key): first request → ``in_progress``, executed, then
``completed`` with its status and body. A repeat with the same fingerprint replays
them; with another fingerprint → 422; while the first still runs → 409. A record
left ``in_progress`` by a crashed replica is taken over once its lock expires.
Records live ``idempotency_ttl_hours`` (≥ 24 h); an expired key is new again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from dataclasses import dataclass
from typing import Any

from sdk.signing import body_sha256, canonical_path, canonical_query
from services.gateway.idempotency.models import IdempotencyRecord
from services.gateway.idempotency.repository import IdempotencyRepository
from services.gateway.problems import (
    IDEMPOTENCY_IN_PROGRESS,
    IDEMPOTENCY_KEY_MALFORMED,
    IDEMPOTENCY_KEY_MISSING,
    IDEMPOTENCY_PAYLOAD_MISMATCH,
)
from shared.db import Database
from shared.problems import ProblemError
from shared.sqltypes import utcnow

HEADER = "idempotency-key"
METHODS = frozenset({"POST", "PUT", "PATCH"})
_KEY = re.compile(r"[!-~]{1,255}")
# Answers that mean "nothing was executed": not stored, so the same key can be retried once fixed.
NOT_EXECUTED_CODES = frozenset(
    {
        "request.validation_failed",
        "request.malformed_json",
        "request.bad",
        "request.unsupported_media_type",
        "request.body_too_large",
        "upstream.unavailable",
        "upstream.circuit_open",
        "route.not_found",
        "route.method_not_allowed",
        "internal.error",
    }
)
STORED_RESPONSE_HEADERS = ("content-type", "location")


def parse_key(value: str | None) -> str:
    """The key from the header (bare, or as an RFC 8941 string in double quotes); 400 if bad."""
    if value is None or value == "":
        raise ProblemError(IDEMPOTENCY_KEY_MISSING, "POST, PUT and PATCH need an Idempotency-Key header.")
    key = value.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    if not _KEY.fullmatch(key):
        raise ProblemError(IDEMPOTENCY_KEY_MALFORMED, "Use at most 255 printable ASCII characters (a UUID4).")
    return key


def fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    """What makes two requests "the same": method, canonical path and query, body hash."""
    text = "\n".join([method.upper(), canonical_path(path), canonical_query(query), body_sha256(body)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """A completed request's answer, to replay."""

    status: int
    headers: dict[str, str]
    body: bytes


class IdempotencyStore:
    """The records, in the gateway database."""

    def __init__(self, db: Database, *, ttl: dt.timedelta, lock: dt.timedelta) -> None:
        self.db = db
        self.ttl = ttl
        self.lock = lock

    async def begin(
        self, *, party_id: str, key: str, method: str, path: str, fingerprint: str, request_id: str
    ) -> StoredResponse | None:
        """None: execute the request now (the key is ours). Otherwise the response to replay.

        Raises 422 (other payload) or 409 (still in progress).
        """
        now = utcnow()
        values: dict[str, Any] = {
            "party_id": party_id,
            "key": key,
            "method": method,
            "path": path[:2000],
            "fingerprint": fingerprint,
            "state": "in_progress",
            "request_id": request_id,
            "created_at": now,
            "locked_until": now + self.lock,
            "expires_at": now + self.ttl,
        }
        async with self.db.single_statement() as conn:
            # The common case — a new key — is one autocommitted INSERT; only a key seen
            # before needs the locking transaction below.
            if await IdempotencyRepository(conn).claim_new(values):
                return None
        async with self.db.transaction() as session:
            repo = IdempotencyRepository(session)
            row = await repo.locked(party_id, key)
            if row is None:  # purged between the two statements: take it
                await repo.claim_new(values)
                return None
            if row.expires_at <= now:
                await repo.restart(party_id, key, values)
                return None
            if row.fingerprint != fingerprint:
                raise ProblemError(
                    IDEMPOTENCY_PAYLOAD_MISMATCH,
                    "This Idempotency-Key was used for a different request; "
                    "use a new key for a new operation.",
                )
            if row.state == "completed":
                return StoredResponse(
                    row.response_status or 200, dict(row.response_headers or {}), row.response_body or b""
                )
            if row.locked_until > now:
                retry = max(1, min(5, math.ceil((row.locked_until - now).total_seconds())))
                raise ProblemError(
                    IDEMPOTENCY_IN_PROGRESS,
                    "A request with this Idempotency-Key is still being processed.",
                    headers={"Retry-After": str(retry)},
                )
            # The replica that held it stopped mid-request: this request takes over.
            await repo.restart(party_id, key, values)
            return None

    async def complete(
        self, *, party_id: str, key: str, status: int, headers: dict[str, str], body: bytes
    ) -> None:
        """Store the answer so repeats replay it."""
        async with self.db.single_statement() as conn:
            await IdempotencyRepository(conn).complete(party_id, key, status, headers, body)

    async def release(self, *, party_id: str, key: str) -> None:
        """Forget an in-progress key whose request executed nothing (the client may retry it)."""
        async with self.db.single_statement() as conn:
            await IdempotencyRepository(conn).release(party_id, key)

    async def get(self, party_id: str, key: str) -> IdempotencyRecord | None:
        """The caller's own record (scoped by party: another party's key is simply not found)."""
        async with self.db.transaction() as session:
            row = await IdempotencyRepository(session).get(party_id, key)
            return row if row is not None and row.expires_at > utcnow() else None

    async def purge(self) -> int:
        """Delete expired records."""
        async with self.db.transaction() as session:
            return await IdempotencyRepository(session).purge(utcnow())
