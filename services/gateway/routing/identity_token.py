"""Minting the internal identity token on the proxy's hot path.

The token is exactly :meth:`shared.identity.IdentitySigner.mint`'s (same claims, EdDSA,
verified by every service with :class:`shared.identity.IdentityVerifier` — the upstream
tests check it), built without PyJWT's per-call validation and with each identity's JSON
form computed once per registry entry rather than once per request.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

from shared.identity import ISSUER, Identity, private_key_from_seed


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


_HEADER = _b64(json.dumps({"alg": "EdDSA", "typ": "JWT"}, separators=(",", ":")).encode())


class IdentityMinter:
    """Signs identity tokens with the gateway's Ed25519 key."""

    def __init__(self, private_seed_b64: str, ttl_seconds: int = 60) -> None:
        self._key = private_key_from_seed(private_seed_b64)
        self.ttl = ttl_seconds
        # id(identity) → (identity, its JSON form); the identity is kept so the id stays its own.
        self._dumped: dict[int, tuple[Identity, dict[str, Any]]] = {}

    def _claims_of(self, identity: Identity) -> dict[str, Any]:
        found = self._dumped.get(id(identity))
        if found is not None and found[0] is identity:
            return found[1]
        if len(self._dumped) > 10_000:
            self._dumped.clear()
        dumped = identity.model_dump(mode="json")
        self._dumped[id(identity)] = (identity, dumped)
        return dumped

    def mint(
        self, identity: Identity, *, audience: str, method: str, path: str, request_id: str | None = None
    ) -> str:
        """A token for one request to ``audience`` (``ddt-<service>``), bound to method and path."""
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": audience,
            "sub": identity.party_id,
            "iat": now,
            "nbf": now - 5,
            "exp": now + self.ttl,
            "jti": uuid.uuid4().hex,
            "mth": method.upper(),
            "pth": path,
            "rid": request_id,
            "idn": self._claims_of(identity),
        }
        signing_input = f"{_HEADER}.{_b64(json.dumps(claims, separators=(',', ':')).encode())}"
        return f"{signing_input}.{_b64(self._key.sign(signing_input.encode('ascii')))}"
