"""Authenticating a request: a DDT1-HMAC-SHA256 signature or an OAuth2 bearer token.

The checks and their order are docs/signing.md §6: stateless checks first (all in
:mod:`sdk.signing`, the same module the SDK signs with), then the key and its
party from the registry, then the signature, the party's status, and last the
nonce — recorded only for a request that verified, so forgeries cannot use up nonces.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from sdk.signing import (
    SIGNED_HEADERS,
    AuthProblemCode,
    SignatureError,
    check_timestamp,
    parse_signature_headers,
    verify_signature,
)
from services.gateway.auth.nonces import NonceStore
from services.gateway.auth.registry import CredentialRecord, load_credential
from services.gateway.caller import Caller
from services.gateway.credentials.sealing import SealedSecretError, SecretSealer
from services.gateway.oauth.tokens import TokenAuthority, TokenError
from services.gateway.problems import auth_error
from shared.db import Database
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


def wire_target(raw_path: bytes, query_string: bytes) -> tuple[str, str]:
    """Path and query exactly as sent (``raw_path`` split at ``?`` defensively), as text."""
    path_bytes, _, stray_query = raw_path.partition(b"?")
    query = query_string or stray_query
    return path_bytes.decode("utf-8", "replace"), query.decode("utf-8", "replace")


class Authenticator:
    """Turns a request into a :class:`Caller`, or raises a 401 problem."""

    def __init__(self, db: Database, sealer: SecretSealer, nonces: NonceStore, tokens: TokenAuthority) -> None:
        self.db = db
        self.sealer = sealer
        self.nonces = nonces
        self.tokens = tokens

    async def authenticate(
        self, *, headers: Mapping[str, str], method: str, path: str, query: str, body: bytes
    ) -> Caller:
        """The verified caller (see the module docstring for the order of checks)."""
        signing = any(name in _SIGNING_HEADER_NAMES for name in headers)
        authorization = headers.get("authorization")
        if authorization is not None and signing:
            raise auth_error(AuthProblemCode.CONFLICTING_CREDENTIALS,
                             "Send either Authorization or the X-DDT-* signing headers, not both.")
        if authorization is not None:
            return await self._bearer(authorization)
        try:
            parsed = parse_signature_headers(headers)
            check_timestamp(parsed.timestamp)
        except SignatureError as exc:
            raise auth_error(exc.code, exc.detail) from None
        record = await self._record(parsed.key_id)
        if record is None:
            raise auth_error(AuthProblemCode.UNKNOWN_KEY, "No credential has this key id.")
        if not record.usable(utcnow()):
            raise auth_error(AuthProblemCode.KEY_REVOKED, "This credential was revoked or has expired.")
        secret = self._open(record)
        try:
            verify_signature(parsed, secret=secret, method=method, path=path, query=query, body=body)
        except SignatureError as exc:
            raise auth_error(exc.code, exc.detail) from None
        if record.party_status != "active":
            raise auth_error(AuthProblemCode.SUSPENDED_PARTY, "The party holding this credential is suspended.")
        if not await self.nonces.remember(parsed.key_id, parsed.nonce):
            raise auth_error(AuthProblemCode.REPLAYED_NONCE, "This nonce was already used with this key.")
        return Caller(identity=record.identity, credential_id=record.key_id, auth_method="hmac")

    async def _bearer(self, authorization: str) -> Caller:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise auth_error(AuthProblemCode.INVALID_TOKEN, "Authorization must be 'Bearer <token>'.", scheme="Bearer")
        try:
            claims = self.tokens.verify(token.strip())
        except TokenError as exc:
            raise auth_error(AuthProblemCode.INVALID_TOKEN, f"Token refused ({exc}).", scheme="Bearer") from None
        record = await self._record(claims["cid"])
        if record is None or not record.usable(utcnow()) or record.identity.party_id != claims["sub"]:
            raise auth_error(AuthProblemCode.INVALID_TOKEN, "The token's credential was revoked.", scheme="Bearer")
        if record.party_status != "active":
            raise auth_error(AuthProblemCode.SUSPENDED_PARTY, "The party holding this credential is suspended.",
                             scheme="Bearer")
        return Caller(identity=record.identity, credential_id=record.key_id, auth_method="bearer")

    async def _record(self, key_id: str) -> CredentialRecord | None:
        async with self.db.transaction() as session:
            return await load_credential(session, key_id)

    def _open(self, record: CredentialRecord) -> str:
        try:
            return self.sealer.open(record.sealed_secret, record.key_id)
        except SealedSecretError:
            # Wrong key-encryption key or a tampered row: an operator problem, not the client's.
            log.error("credential secret does not open", extra={"key_id": record.key_id})
            raise auth_error(AuthProblemCode.UNKNOWN_KEY, "No usable credential has this key id.") from None

    async def check_client_secret(self, key_id: str, secret: str) -> CredentialRecord | None:
        """For the token endpoint: the record if ``secret`` is this active credential's secret."""
        import hmac

        record = await self._record(key_id)
        if record is None or not record.usable(utcnow()):
            return None
        try:
            stored = self.sealer.open(record.sealed_secret, record.key_id)
        except SealedSecretError:
            return None
        return record if hmac.compare_digest(stored.encode(), secret.encode()) else None
