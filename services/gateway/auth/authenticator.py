"""Authenticating a request: a DDT1-HMAC-SHA256 signature or an OAuth2 bearer token.

The checks and their order are docs/signing.md §6: stateless checks first (all in
:mod:`sdk.signing`, the same module the SDK signs with), then the key and its party
from the registry, then the signature, the party's status, and last the nonce —
recorded only for a request that verified, so forgeries cannot use up nonces.

The nonce, the credential's rate-limit token and the registry generation come from
one guard call (:mod:`services.gateway.auth.guard`); with Redis the registry entry may
come from the in-process cache, which that generation keeps current.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Mapping

from sdk.signing import (
    SIGNED_HEADERS,
    AuthProblemCode,
    SignatureError,
    check_timestamp,
    parse_signature_headers,
    verify_signature,
)
from services.gateway.auth.guard import GuardResult, LocalGuard, RedisGuard
from services.gateway.auth.registry import CredentialRecord, RegistryCache, load_credential
from services.gateway.caller import Caller
from services.gateway.credentials.sealing import SealedSecretError, SecretSealer
from services.gateway.oauth.tokens import TokenAuthority, TokenError
from services.gateway.problems import auth_error
from services.gateway.ratelimit.bucket import Decision
from shared.db import Database
from shared.problems import ProblemError
from shared.sqltypes import utcnow

log = logging.getLogger("ddt.gateway.auth")

_SIGNING_HEADER_NAMES = frozenset(h.lower() for h in SIGNED_HEADERS)


def request_headers(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """ASGI headers as a lower-case dict (first occurrence wins)."""
    headers: dict[str, str] = {}
    for key, value in raw:
        name = key.decode("latin-1").lower()
        if name not in headers:
            headers[name] = value.decode("latin-1")
    return headers


def _refuse_unusable(record: CredentialRecord | None, *, bearer: bool = False) -> CredentialRecord:
    scheme = "Bearer" if bearer else "DDT1-HMAC-SHA256"
    if record is None:
        if bearer:
            raise auth_error(
                AuthProblemCode.INVALID_TOKEN, "The token's credential no longer exists.", scheme=scheme
            )
        raise auth_error(AuthProblemCode.UNKNOWN_KEY, "No credential has this key id.")
    if not record.usable(utcnow()):
        if bearer:
            raise auth_error(
                AuthProblemCode.INVALID_TOKEN, "The token's credential was revoked.", scheme=scheme
            )
        raise auth_error(AuthProblemCode.KEY_REVOKED, "This credential was revoked or has expired.")
    return record


def _refuse_suspended(record: CredentialRecord, *, bearer: bool = False) -> None:
    if record.party_status != "active":
        raise auth_error(
            AuthProblemCode.SUSPENDED_PARTY,
            "The party holding this credential is suspended.",
            scheme="Bearer" if bearer else "DDT1-HMAC-SHA256",
        )


class Authenticator:
    """Turns a request into a :class:`Caller` and its rate-limit decision, or raises a 401 problem."""

    def __init__(
        self,
        db: Database,
        sealer: SecretSealer,
        guard: RedisGuard | LocalGuard,
        tokens: TokenAuthority,
        cache: RegistryCache | None = None,
    ) -> None:
        self.db = db
        self.sealer = sealer
        self.guard = guard
        self.tokens = tokens
        self.cache = cache or RegistryCache()
        self._secrets: dict[str, tuple[str, str]] = {}  # key id → (sealed, opened): AES once per seal

    async def authenticate(
        self, *, headers: Mapping[str, str], method: str, path: str, query: str, body: bytes
    ) -> tuple[Caller, Decision]:
        """The verified caller (see the module docstring for the order of checks)."""
        signing = any(name in _SIGNING_HEADER_NAMES for name in headers)
        authorization = headers.get("authorization")
        if authorization is not None and signing:
            raise auth_error(
                AuthProblemCode.CONFLICTING_CREDENTIALS,
                "Send either Authorization or the X-DDT-* signing headers, not both.",
            )
        if authorization is not None:
            return await self._bearer(authorization)
        try:
            parsed = parse_signature_headers(headers)
            check_timestamp(parsed.timestamp)
        except SignatureError as exc:
            raise auth_error(exc.code, exc.detail) from None
        record, cached_generation, seen_before = await self._lookup(parsed.key_id)
        record = _refuse_unusable(record)
        try:
            verify_signature(
                parsed, secret=self._secret(record), method=method, path=path, query=query, body=body
            )
        except SignatureError as exc:
            raise auth_error(exc.code, exc.detail) from None
        _refuse_suspended(record)
        result = await self.guard.check(parsed.key_id, parsed.nonce)
        record = _refuse_unusable(await self._current(record, cached_generation, seen_before, result))
        _refuse_suspended(record)
        if not result.nonce_fresh:
            raise auth_error(AuthProblemCode.REPLAYED_NONCE, "This nonce was already used with this key.")
        return Caller(
            identity=record.identity, credential_id=record.key_id, auth_method="hmac"
        ), result.decision

    async def _bearer(self, authorization: str) -> tuple[Caller, Decision]:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise auth_error(
                AuthProblemCode.INVALID_TOKEN, "Authorization must be 'Bearer <token>'.", scheme="Bearer"
            )
        try:
            claims = self.tokens.verify(token.strip())
        except TokenError as exc:
            raise auth_error(
                AuthProblemCode.INVALID_TOKEN, f"Token refused ({exc}).", scheme="Bearer"
            ) from None
        record, cached_generation, seen_before = await self._lookup(claims["cid"])
        _refuse_unusable(record, bearer=True)
        result = await self.guard.check(claims["cid"], None)
        record = _refuse_unusable(
            await self._current(record, cached_generation, seen_before, result), bearer=True
        )
        if record.identity.party_id != claims["sub"]:
            raise auth_error(AuthProblemCode.INVALID_TOKEN, "The token names another party.", scheme="Bearer")
        _refuse_suspended(record, bearer=True)
        return Caller(
            identity=record.identity, credential_id=record.key_id, auth_method="bearer"
        ), result.decision

    async def _lookup(self, key_id: str) -> tuple[CredentialRecord | None, int | None, int | None]:
        """(record, the generation it was cached in or None if just read, generation seen before reading)."""
        if isinstance(self.guard, RedisGuard):
            cached = self.cache.get(key_id, time.monotonic())
            # Only an entry that would be let through is trusted; a refusal is always confirmed
            # against the database, so a reactivation is never hidden by the cache.
            if cached is not None and cached[0].usable(utcnow()) and cached[0].party_status == "active":
                return cached[0], cached[1], None
        seen_before = self.cache.seen_generation
        return await self._record(key_id), None, seen_before

    async def _current(
        self,
        record: CredentialRecord | None,
        cached_generation: int | None,
        seen_before: int | None,
        result: GuardResult,
    ) -> CredentialRecord | None:
        """The record as of the generation the guard just read (reloading a stale cached one)."""
        generation = result.generation
        if generation is None or record is None:
            return record
        self.cache.seen_generation = generation
        if cached_generation is not None:
            if cached_generation == generation:
                return record
            # Changed since cached: read again; a read made after seeing ``generation`` is current in it.
            fresh = await self._record(record.key_id)
            if fresh is None:
                self.cache.forget(record.key_id)
            else:
                self.cache.put(fresh, generation, time.monotonic())
            return fresh
        # Read before the guard call: current in ``generation`` only if nothing changed meanwhile.
        if seen_before == generation:
            self.cache.put(record, generation, time.monotonic())
        return record

    async def _record(self, key_id: str) -> CredentialRecord | None:
        async with self.db.transaction() as session:
            return await load_credential(session, key_id)

    def _secret(self, record: CredentialRecord) -> str:
        known = self._secrets.get(record.key_id)
        if known is not None and known[0] == record.sealed_secret:
            return known[1]
        try:
            secret = self.sealer.open(record.sealed_secret, record.key_id)
        except SealedSecretError:
            # Wrong key-encryption key or a tampered row: an operator problem, not the client's.
            log.error("credential secret does not open", extra={"key_id": record.key_id})
            raise auth_error(AuthProblemCode.UNKNOWN_KEY, "No usable credential has this key id.") from None
        if len(self._secrets) > 10_000:
            self._secrets.clear()
        self._secrets[record.key_id] = (record.sealed_secret, secret)
        return secret

    async def check_client_secret(self, key_id: str, secret: str) -> CredentialRecord | None:
        """For the token endpoint: the record if ``secret`` is this active credential's secret."""
        record = await self._record(key_id)
        if record is None or not record.usable(utcnow()):
            return None
        try:
            stored = self._secret(record)
        except ProblemError:
            return None
        return record if hmac.compare_digest(stored.encode(), secret.encode()) else None

    async def registry_changed(self) -> None:
        """Call after a committed registry change: caches on every replica become stale."""
        await self.guard.bump()
