"""Short-lived OAuth2 access tokens (JWT, EdDSA) for clients that cannot sign requests.

Only ``EdDSA`` is accepted when verifying: a fixed algorithm list is what refuses
``alg: none`` and the HS256-with-the-public-key confusion. Audience and issuer
are required and checked. The token names its credential (``cid``); the gateway
loads that credential and its party on every request, so revoking the credential
or suspending the party ends the token's use at once.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import jwt

from shared.identity import private_key_from_seed

ALGORITHM = "EdDSA"


@dataclass(frozen=True, slots=True)
class AccessToken:
    """An issued token and its lifetime."""

    token: str
    expires_in: int


class TokenError(Exception):
    """A bearer token was refused (the message says why; never shown verbatim to clients)."""


class TokenAuthority:
    """Issues and verifies the gateway's OAuth2 access tokens."""

    def __init__(self, seed_b64: str, *, issuer: str, audience: str, ttl_seconds: int) -> None:
        self._key = private_key_from_seed(seed_b64)
        self.public_key = self._key.public_key()
        self.issuer = issuer
        self.audience = audience
        self.ttl = ttl_seconds

    def issue(self, *, party_id: str, key_id: str, now: dt.datetime | None = None) -> AccessToken:
        """A token for ``key_id`` of ``party_id``."""
        now = now or dt.datetime.now(dt.UTC)
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": party_id,
            "cid": key_id,
            "iat": now,
            "nbf": now,
            "exp": now + dt.timedelta(seconds=self.ttl),
            "jti": uuid.uuid4().hex,
        }
        return AccessToken(jwt.encode(claims, self._key, algorithm=ALGORITHM), self.ttl)

    def verify(self, token: str) -> dict[str, Any]:
        """The claims of a valid token; :class:`TokenError` otherwise."""
        try:
            claims = jwt.decode(
                token,
                self.public_key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                leeway=5,
                options={"require": ["exp", "iat", "nbf", "aud", "iss", "sub", "cid"]},
            )
        except jwt.PyJWTError as exc:
            raise TokenError(type(exc).__name__) from exc
        if not isinstance(claims.get("cid"), str) or not isinstance(claims.get("sub"), str):
            raise TokenError("claims of the wrong type")
        return claims
