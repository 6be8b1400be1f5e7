"""The internal identity token: how the gateway tells a service who is calling.

The gateway authenticates the caller, then forwards the verified identity as a
short-lived JWT signed with Ed25519 (``EdDSA``) in the ``X-DDT-Identity`` header.
Only the gateway holds the private key; services hold the public key, so a
compromised service cannot mint identities for the others. The token is bound to
its audience (the target service), the HTTP method and the request target (path and
query), and lives about a minute, so a leaked token is of little use elsewhere.

Both sides bind the *canonical* form of the target as it travels on the wire
(:func:`canonical_target`: the same percent-encoding, parameter order and repeated
parameters as request signing, :mod:`sdk.signing`), never a framework's decoded view
of it: a decoded ``%23`` or ``%3F`` reads as a fragment or a query, ``%2F`` as a
separator, so a path compared after decoding differs from the one that was signed.

Every service route that serves a party depends on :func:`require_identity`; a
request that did not come through the gateway is refused with 401.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Annotated, Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.types import Scope

from sdk.signing import canonical_path, canonical_query
from shared.problems import FORBIDDEN, IDENTITY_INVALID, IDENTITY_MISSING, ProblemError

IDENTITY_HEADER = "x-ddt-identity"
ISSUER = "ddt-gateway"
_ALGORITHM = "EdDSA"


class PartyCode(BaseModel):
    """An enterprise code registered to the party, with the kind it may be used as."""

    model_config = ConfigDict(frozen=True)

    code: str
    kinds: list[str] = Field(default_factory=list, description="e.g. ebcCode, ebpCode, agentCode")


class Identity(BaseModel):
    """Who is calling, as verified by the gateway."""

    model_config = ConfigDict(frozen=True)

    party_id: str
    party_name: str = ""
    roles: list[str] = Field(default_factory=list)
    codes: list[PartyCode] = Field(default_factory=list)
    district: str | None = None
    park: str | None = None
    credential_id: str | None = None
    on_behalf_of: list[str] = Field(
        default_factory=list, description="party ids this party may file for (e.g. a platform's merchants)"
    )
    delegated_message_types: dict[str, list[str]] = Field(
        default_factory=dict,
        description="per party of on_behalf_of, the message types it may be filed for "
        "(absent or empty: every message type)",
    )

    def has_role(self, *roles: str) -> bool:
        """True if the party holds any of ``roles``."""
        return any(r in self.roles for r in roles)

    def owns_code(self, code: str, kind: str | None = None) -> bool:
        """True if ``code`` is registered to this party (as ``kind`` when given)."""
        return any(c.code == code and (kind is None or kind in c.kinds or not c.kinds) for c in self.codes)

    def may_file_for(self, party_id: str | None, message_type: str) -> bool:
        """True if ``party_id`` authorised this party to file ``message_type`` (``CEB311``…) for it."""
        if party_id is None or party_id not in self.on_behalf_of:
            return False
        scope = self.delegated_message_types.get(party_id)
        return not scope or message_type in scope

    @property
    def is_regulator(self) -> bool:
        """Regulators read statistics across parties (never personal data)."""
        return "regulator" in self.roles

    @property
    def is_admin(self) -> bool:
        """Platform administrators."""
        return "platform_admin" in self.roles


def _b64decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def private_key_from_seed(seed_b64: str) -> Ed25519PrivateKey:
    """Ed25519 private key from its base64url 32-byte seed."""
    return Ed25519PrivateKey.from_private_bytes(_b64decode(seed_b64))


def public_key_from_b64(value: str) -> Ed25519PublicKey:
    """Ed25519 public key from its base64url raw form."""
    return Ed25519PublicKey.from_public_bytes(_b64decode(value))


def generate_keypair() -> tuple[str, str]:
    """A new (private seed, public key), both base64url — for production settings."""
    key = Ed25519PrivateKey.generate()
    seed = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return _b64encode(seed), _b64encode(public)


def wire_target(raw_path: bytes, query_string: bytes) -> tuple[str, str]:
    """Path and query exactly as sent, as text (``raw_path`` split at ``?`` defensively).

    Some ASGI servers and test transports put the query into ``raw_path`` as well.
    """
    path_bytes, _, stray_query = raw_path.partition(b"?")
    query = query_string or stray_query
    return path_bytes.decode("utf-8", "replace"), query.decode("utf-8", "replace")


def scope_target(scope: Scope) -> tuple[str, str]:
    """The wire path and query of an ASGI request (the decoded path only if no raw one)."""
    return wire_target(scope.get("raw_path") or scope["path"].encode(), scope.get("query_string", b""))


def canonical_target(path: str, query: str = "") -> tuple[str, str]:
    """The canonical (path, query) an identity token is bound to.

    ``path`` and ``query`` are wire forms (a ``?query`` left on ``path`` is split off);
    two spellings of one request — ``%e4`` or ``%E4``, raw UTF-8 or percent-encoded,
    parameters in another order, ``+`` or ``%20`` — give the same pair, two different
    requests (``%2F`` against ``/``, ``a=1&a=2`` against ``a=2``) never do.
    """
    path, _, stray_query = path.partition("?")
    return canonical_path(path), canonical_query(query or stray_query)


_JWT_HEADER = _b64encode(json.dumps({"alg": "EdDSA", "typ": "JWT"}, separators=(",", ":")).encode())


class IdentitySigner:
    """Mints identity tokens (the gateway's half).

    It sits on the gateway's hot path, so it builds the compact JWS itself (header,
    claims, Ed25519 signature) rather than through PyJWT's per-call validation, and
    keeps each identity's JSON form for as long as the identity object lives in the
    gateway's registry cache. Services verify with PyJWT (:class:`IdentityVerifier`).
    """

    def __init__(self, private_seed_b64: str, ttl_seconds: int = 60) -> None:
        self._key = private_key_from_seed(private_seed_b64)
        self.ttl = ttl_seconds
        # id(identity) → (identity, its JSON form); holding the identity keeps the id its own.
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
        self,
        identity: Identity,
        *,
        audience: str,
        method: str,
        path: str,
        query: str = "",
        request_id: str | None = None,
    ) -> str:
        """A token for one request to ``audience`` (``ddt-<service>``), bound to its method and target.

        ``path`` and ``query`` are what goes on the wire to the service (see
        :func:`canonical_target`; a ``?query`` on ``path`` counts as the query).
        """
        now = int(time.time())
        bound_path, bound_query = canonical_target(path, query)
        claims = {
            "iss": ISSUER,
            "aud": audience,
            "sub": identity.party_id,
            "iat": now,
            "nbf": now - 5,
            "exp": now + self.ttl,
            "jti": uuid.uuid4().hex,
            "mth": method.upper(),
            "pth": bound_path,
            "qry": bound_query,
            "rid": request_id,
            "idn": self._claims_of(identity),
        }
        signing_input = f"{_JWT_HEADER}.{_b64encode(json.dumps(claims, separators=(',', ':')).encode())}"
        return f"{signing_input}.{_b64encode(self._key.sign(signing_input.encode('ascii')))}"


class IdentityVerifier:
    """Verifies identity tokens (every service's half)."""

    def __init__(self, public_key_b64: str, service: str, leeway_seconds: int = 5) -> None:
        self._key = public_key_from_b64(public_key_b64)
        self.audience = f"ddt-{service}"
        self.leeway = leeway_seconds

    def verify(self, token: str, *, method: str, path: str, query: str = "") -> Identity:
        """The identity in ``token``; :class:`ProblemError` if anything is off.

        ``path`` and ``query`` are the wire forms the request arrived with (:func:`scope_target`).
        """
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[_ALGORITHM],  # a fixed list: "none" and HS/RS confusion are refused
                audience=self.audience,
                issuer=ISSUER,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "aud", "iss", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise ProblemError(IDENTITY_INVALID, f"Identity token refused: {exc}.") from exc
        bound_path, bound_query = canonical_target(path, query)
        if (
            claims.get("mth") != method.upper()
            or claims.get("pth") != bound_path
            or claims.get("qry", "") != bound_query
        ):
            raise ProblemError(IDENTITY_INVALID, "Identity token was issued for another request.")
        try:
            return Identity.model_validate(claims["idn"])
        except (KeyError, ValueError) as exc:
            raise ProblemError(IDENTITY_INVALID, "Identity token carries no valid identity.") from exc


async def require_identity(request: Request) -> Identity:
    """FastAPI dependency: the verified caller, or 401."""
    token = request.headers.get(IDENTITY_HEADER)
    if not token:
        raise ProblemError(IDENTITY_MISSING, "No identity token; call the platform through the gateway.")
    verifier: IdentityVerifier = request.app.state.identity_verifier
    path, query = scope_target(request.scope)
    identity = verifier.verify(token, method=request.method, path=path, query=query)
    request.state.identity = identity
    return identity


CurrentIdentity = Annotated[Identity, Depends(require_identity)]


def require_roles(*roles: str) -> Any:
    """Dependency factory: the caller must hold one of ``roles`` (defence in depth behind the gateway)."""

    async def check(identity: CurrentIdentity) -> Identity:
        if not identity.has_role(*roles):
            raise ProblemError(FORBIDDEN, f"This operation needs one of the roles {sorted(roles)}.")
        return identity

    return Depends(check)
