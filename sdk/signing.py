"""The DDT1-HMAC-SHA256 request-signing scheme — the single source of truth.

Both sides use this module: the SDK to sign, the gateway to verify. Everything
here is pure (no I/O, no clock unless you omit ``now``), standard library only,
so an ERP integrator can copy this one file. docs/signing.md is the prose
version of the same rules; the two must never disagree (a test checks the
worked example in the doc against this code).

Canonical string (eight lines joined by ``"\\n"``, no trailing newline)::

    DDT1-HMAC-SHA256
    <METHOD upper-case>
    <canonical path>
    <canonical query, may be empty>
    <timestamp, unix seconds>
    <nonce>
    <lower-case hex SHA-256 of the raw body bytes>
    <key id>

Signature = lower-case hex of HMAC-SHA256(key = ASCII bytes of the secret
string, message = UTF-8 bytes of the canonical string).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote, unquote_to_bytes

__all__ = [
    "ALGORITHM",
    "EMPTY_BODY_SHA256",
    "HEADER_ALGORITHM",
    "HEADER_CONTENT_SHA256",
    "HEADER_KEY_ID",
    "HEADER_NONCE",
    "HEADER_SIGNATURE",
    "HEADER_TIMESTAMP",
    "KEY_ID_PATTERN",
    "NONCE_MAX_LENGTH",
    "NONCE_MIN_LENGTH",
    "NONCE_PATTERN",
    "NONCE_RETENTION_SECONDS",
    "SECRET_PATTERN",
    "SIGNATURE_PATTERN",
    "SIGNED_HEADERS",
    "TIMESTAMP_PATTERN",
    "TIMESTAMP_TOLERANCE_SECONDS",
    "AuthProblemCode",
    "SignatureError",
    "SignatureHeaders",
    "SignedRequest",
    "body_sha256",
    "canonical_path",
    "canonical_query",
    "canonical_request",
    "check_timestamp",
    "compute_signature",
    "generate_key_id",
    "generate_nonce",
    "generate_secret",
    "parse_signature_headers",
    "prepare_signature",
    "sign_request",
    "split_target",
    "verify_request",
    "verify_signature",
]

ALGORITHM = "DDT1-HMAC-SHA256"

# Plain X-DDT-* headers rather than one packed Authorization value: each part is
# trivially set and logged (minus the signature) from any HTTP library, and it
# leaves Authorization free for the OAuth2 bearer mode, so a request's auth mode
# is never ambiguous.
HEADER_ALGORITHM = "X-DDT-Algorithm"
HEADER_KEY_ID = "X-DDT-Key-Id"
HEADER_TIMESTAMP = "X-DDT-Timestamp"
HEADER_NONCE = "X-DDT-Nonce"
HEADER_CONTENT_SHA256 = "X-DDT-Content-SHA256"
HEADER_SIGNATURE = "X-DDT-Signature"
SIGNED_HEADERS = (
    HEADER_ALGORITHM,
    HEADER_KEY_ID,
    HEADER_TIMESTAMP,
    HEADER_NONCE,
    HEADER_CONTENT_SHA256,
    HEADER_SIGNATURE,
)

TIMESTAMP_TOLERANCE_SECONDS = 300
# A timestamp may be up to 300 s in the future, so its nonce stays acceptable
# until 300 s after that: the server must remember nonces for twice the window.
NONCE_RETENTION_SECONDS = 2 * TIMESTAMP_TOLERANCE_SECONDS

NONCE_MIN_LENGTH = 16
NONCE_MAX_LENGTH = 64
NONCE_PATTERN = re.compile(rf"[A-Za-z0-9_-]{{{NONCE_MIN_LENGTH},{NONCE_MAX_LENGTH}}}")
# No sign, no leading zero: one spelling per instant, at most 12 digits.
TIMESTAMP_PATTERN = re.compile(r"[1-9][0-9]{0,11}")
SIGNATURE_PATTERN = re.compile(r"[0-9a-f]{64}")
BODY_HASH_PATTERN = SIGNATURE_PATTERN

KEY_ID_PREFIX = "ddtk_"
SECRET_PREFIX = "ddts_"  # noqa: S105 - a public prefix, not a secret
# Key id: prefix + 24 chars of lower-case RFC 4648 base32 (15 random bytes).
KEY_ID_PATTERN = re.compile(r"ddtk_[a-z2-7]{24}")
# Secret: prefix + 43 chars of unpadded base64url (32 random bytes). The prefix
# lets secret scanners recognise a leaked secret.
SECRET_PATTERN = re.compile(r"ddts_[A-Za-z0-9_-]{43}")

EMPTY_BODY_SHA256 = hashlib.sha256(b"").hexdigest()

# RFC 3986 unreserved characters are the only ones left unencoded.
_UNRESERVED = "-._~"
_PERCENT_TRIPLET = re.compile(rb"%[0-9A-Fa-f]{2}")


class AuthProblemCode(StrEnum):
    """Stable ``code`` values of the gateway's 401 problem+json responses.

    The gateway answers each authentication failure with exactly one of these;
    docs/signing.md explains when each applies.
    """

    MISSING_HEADER = "auth.missing_header"
    MALFORMED_HEADER = "auth.malformed_header"
    UNSUPPORTED_ALGORITHM = "auth.unsupported_algorithm"
    CONFLICTING_CREDENTIALS = "auth.conflicting_credentials"
    UNKNOWN_KEY = "auth.unknown_key"
    KEY_REVOKED = "auth.key_revoked"
    STALE_TIMESTAMP = "auth.stale_timestamp"
    BODY_HASH_MISMATCH = "auth.body_hash_mismatch"
    BAD_SIGNATURE = "auth.bad_signature"
    REPLAYED_NONCE = "auth.replayed_nonce"
    SUSPENDED_PARTY = "auth.suspended_party"
    INVALID_TOKEN = "auth.invalid_token"  # noqa: S105 - a problem code


class SignatureError(Exception):
    """A request failed a signing rule; ``code`` is the problem code to answer with."""

    def __init__(self, code: AuthProblemCode, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """Everything a signature was computed from, for sending and for debugging."""

    canonical_string: str
    signature: str
    headers: dict[str, str]


@dataclass(frozen=True, slots=True)
class SignatureHeaders:
    """The signing headers of a received request, checked for format only."""

    algorithm: str
    key_id: str
    timestamp: int
    timestamp_text: str
    nonce: str
    content_sha256: str
    signature: str


def generate_key_id() -> str:
    """Return a fresh key id such as ``ddtk_mfrggzdfmztwq2lkmnxw6ylb``."""
    return KEY_ID_PREFIX + base64.b32encode(secrets.token_bytes(15)).decode("ascii").lower()


def generate_secret() -> str:
    """Return a fresh secret: ``ddts_`` + 32 random bytes as unpadded base64url."""
    return SECRET_PREFIX + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii").rstrip("=")


def generate_nonce() -> str:
    """Return a fresh nonce: 32 characters of base64url (24 random bytes)."""
    return secrets.token_urlsafe(24)


def body_sha256(body: bytes) -> str:
    """Lower-case hex SHA-256 of the raw body bytes (of ``b""`` when there is no body)."""
    return hashlib.sha256(body).hexdigest()


def split_target(target: str) -> tuple[str, str]:
    """Split a request target ``/path?query`` into ``(path, query)``; a fragment is dropped."""
    target = target.split("#", 1)[0]
    path, _, query = target.partition("?")
    return path, query


def _percent_encode(raw: bytes) -> str:
    return quote(raw, safe=_UNRESERVED)


def canonical_path(path: str) -> str:
    """Canonical form of the path exactly as sent (without the query).

    Existing ``%XX`` triplets are kept (hex upper-cased), never decoded: the
    gateway sees the wire form, and decoding would let ``%2F`` and ``/`` collide.
    Every other byte outside the RFC 3986 unreserved set and ``/`` is
    percent-encoded from its UTF-8 form, so a Unicode path signs the same whether
    the HTTP library encoded it or not. An empty path is ``/``.
    """
    if not path:
        return "/"
    raw = path.encode("utf-8")
    out: list[str] = []
    pos = 0
    for match in _PERCENT_TRIPLET.finditer(raw):
        out.append(_encode_path_piece(raw[pos : match.start()]))
        out.append(match.group().decode("ascii").upper())
        pos = match.end()
    out.append(_encode_path_piece(raw[pos:]))
    return "".join(out)


def _encode_path_piece(raw: bytes) -> str:
    return quote(raw, safe=_UNRESERVED + "/")


def canonical_query(query: str) -> str:
    """Canonical form of a raw query string (without the leading ``?``).

    Parsed the way the gateway's framework parses it (``&`` separates, empty
    pieces are dropped, ``+`` means a space, a piece without ``=`` has an empty
    value), so two spellings that sign alike also mean the same. Each name and
    value is then re-encoded per RFC 3986 (only unreserved characters left,
    upper-case hex) and the pairs are sorted by name, then value, byte-wise.
    Repeated names are kept. An empty query gives an empty string.
    """
    pairs: list[tuple[str, str]] = []
    for piece in query.split("&"):
        if not piece:
            continue
        name, _, value = piece.partition("=")
        pairs.append((_requote(name), _requote(value)))
    pairs.sort()
    return "&".join(f"{name}={value}" for name, value in pairs)


def _requote(component: str) -> str:
    return _percent_encode(unquote_to_bytes(component.replace("+", " ")))


def canonical_request(
    *,
    method: str,
    path: str,
    query: str,
    timestamp: int | str,
    nonce: str,
    content_sha256: str,
    key_id: str,
    algorithm: str = ALGORITHM,
) -> str:
    """Build the canonical string from raw request parts (path and query as sent)."""
    return "\n".join(
        [
            algorithm,
            method.upper(),
            canonical_path(path),
            canonical_query(query),
            str(timestamp),
            nonce,
            content_sha256,
            key_id,
        ]
    )


def compute_signature(secret: str, canonical_string: str) -> str:
    """Lower-case hex HMAC-SHA256 of the canonical string, keyed by the secret's ASCII bytes."""
    return hmac.new(secret.encode("ascii"), canonical_string.encode("utf-8"), hashlib.sha256).hexdigest()


def prepare_signature(
    *,
    key_id: str,
    secret: str,
    method: str,
    path: str,
    query: str = "",
    body: bytes = b"",
    timestamp: int | None = None,
    nonce: str | None = None,
) -> SignedRequest:
    """Sign one request and return the canonical string, signature and headers.

    ``path`` and ``query`` must be what goes on the wire (``query`` without
    ``?``); when you sign a prepared HTTP request, take them from its final URL.
    ``timestamp`` defaults to now and ``nonce`` to a fresh random one.
    """
    if timestamp is None:
        timestamp = int(time.time())
    if nonce is None:
        nonce = generate_nonce()
    if not NONCE_PATTERN.fullmatch(nonce):
        raise ValueError(f"nonce must match {NONCE_PATTERN.pattern}")
    content_hash = body_sha256(body)
    canonical = canonical_request(
        method=method,
        path=path,
        query=query,
        timestamp=timestamp,
        nonce=nonce,
        content_sha256=content_hash,
        key_id=key_id,
    )
    signature = compute_signature(secret, canonical)
    headers = {
        HEADER_ALGORITHM: ALGORITHM,
        HEADER_KEY_ID: key_id,
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_NONCE: nonce,
        HEADER_CONTENT_SHA256: content_hash,
        HEADER_SIGNATURE: signature,
    }
    return SignedRequest(canonical_string=canonical, signature=signature, headers=headers)


def sign_request(
    *,
    key_id: str,
    secret: str,
    method: str,
    path: str,
    query: str = "",
    body: bytes = b"",
    timestamp: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """Return the six X-DDT-* headers that sign this request (see :func:`prepare_signature`)."""
    return prepare_signature(
        key_id=key_id,
        secret=secret,
        method=method,
        path=path,
        query=query,
        body=body,
        timestamp=timestamp,
        nonce=nonce,
    ).headers


def _header(headers: Mapping[str, str], name: str) -> str | None:
    # HTTP header names are case-insensitive; plain dicts are not.
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def parse_signature_headers(headers: Mapping[str, str]) -> SignatureHeaders:
    """Read and format-check the six signing headers.

    Raises :class:`SignatureError` with ``auth.missing_header``,
    ``auth.malformed_header`` or ``auth.unsupported_algorithm``. Whether the
    request also carries ``Authorization`` is the caller's concern
    (``auth.conflicting_credentials``).
    """
    values: dict[str, str] = {}
    for name in SIGNED_HEADERS:
        value = _header(headers, name)
        if value is None or value == "":
            raise SignatureError(AuthProblemCode.MISSING_HEADER, f"{name} is required")
        values[name] = value.strip()

    algorithm = values[HEADER_ALGORITHM]
    if algorithm != ALGORITHM:
        raise SignatureError(AuthProblemCode.UNSUPPORTED_ALGORITHM, f"{HEADER_ALGORITHM} must be {ALGORITHM}")
    checks = (
        (HEADER_KEY_ID, KEY_ID_PATTERN, "ddtk_ followed by 24 characters a-z 2-7"),
        (HEADER_TIMESTAMP, TIMESTAMP_PATTERN, "unix seconds as a decimal integer"),
        (HEADER_NONCE, NONCE_PATTERN, f"{NONCE_MIN_LENGTH}-{NONCE_MAX_LENGTH} characters A-Z a-z 0-9 _ -"),
        (HEADER_CONTENT_SHA256, BODY_HASH_PATTERN, "64 lower-case hex characters"),
        (HEADER_SIGNATURE, SIGNATURE_PATTERN, "64 lower-case hex characters"),
    )
    for name, pattern, rule in checks:
        if not pattern.fullmatch(values[name]):
            raise SignatureError(AuthProblemCode.MALFORMED_HEADER, f"{name} must be {rule}")

    return SignatureHeaders(
        algorithm=algorithm,
        key_id=values[HEADER_KEY_ID],
        timestamp=int(values[HEADER_TIMESTAMP]),
        timestamp_text=values[HEADER_TIMESTAMP],
        nonce=values[HEADER_NONCE],
        content_sha256=values[HEADER_CONTENT_SHA256],
        signature=values[HEADER_SIGNATURE],
    )


def check_timestamp(
    timestamp: int, *, now: float | None = None, tolerance: int = TIMESTAMP_TOLERANCE_SECONDS
) -> None:
    """Refuse a timestamp more than ``tolerance`` seconds before *or after* now."""
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise SignatureError(
            AuthProblemCode.STALE_TIMESTAMP,
            f"timestamp {timestamp} is more than {tolerance} s from server time {int(current)}",
        )


def verify_signature(
    parsed: SignatureHeaders,
    *,
    secret: str,
    method: str,
    path: str,
    query: str,
    body: bytes,
) -> None:
    """Check the body hash and the signature of a request whose headers parsed.

    ``path`` and ``query`` are the raw wire forms (ASGI ``raw_path`` and
    ``query_string``). Raises ``auth.body_hash_mismatch`` or ``auth.bad_signature``.
    The canonical string uses the hash of the body actually received, never the
    header's claim.
    """
    actual_hash = body_sha256(body)
    if not hmac.compare_digest(actual_hash, parsed.content_sha256):
        raise SignatureError(
            AuthProblemCode.BODY_HASH_MISMATCH,
            f"{HEADER_CONTENT_SHA256} does not match the SHA-256 of the body received",
        )
    canonical = canonical_request(
        method=method,
        path=path,
        query=query,
        timestamp=parsed.timestamp_text,
        nonce=parsed.nonce,
        content_sha256=actual_hash,
        key_id=parsed.key_id,
        algorithm=parsed.algorithm,
    )
    expected = compute_signature(secret, canonical)
    if not hmac.compare_digest(expected, parsed.signature):
        # The usual causes, in the order a new integrator meets them: a wrong or truncated
        # secret, a request changed after signing (or a path signed in another encoding), a clock
        # far off (the timestamp is signed, and a skewed one also fails the window check).
        raise SignatureError(
            AuthProblemCode.BAD_SIGNATURE,
            "signature does not match the request: check that the secret is the one issued with "
            f"key id {parsed.key_id}, that the method, path, query and body are signed exactly as "
            "sent (docs/signing.md), and that this machine's clock is right",
        )


def verify_request(
    *,
    headers: Mapping[str, str],
    method: str,
    path: str,
    query: str,
    body: bytes,
    secret: str,
    now: float | None = None,
    tolerance: int = TIMESTAMP_TOLERANCE_SECONDS,
) -> SignatureHeaders:
    """All the stateless checks in order: headers, timestamp window, body hash, signature.

    The gateway still has to look the key up (``auth.unknown_key`` /
    ``auth.key_revoked``) before it has a ``secret`` to pass, refuse a suspended
    party, and record the nonce atomically (``auth.replayed_nonce``) — those need
    its database. Returns the parsed headers on success.
    """
    parsed = parse_signature_headers(headers)
    check_timestamp(parsed.timestamp, now=now, tolerance=tolerance)
    verify_signature(parsed, secret=secret, method=method, path=path, query=query, body=body)
    return parsed
