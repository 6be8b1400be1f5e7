"""Signatures on the webhooks Diandiantong sends (Stripe-style), for receivers.

Header::

    X-DDT-Webhook-Signature: t=1718000000,v1=<hex>[,v1=<hex>]

``v1`` = lower-case hex HMAC-SHA256(key = ASCII bytes of the endpoint secret,
message = ``f"{t}."`` as ASCII followed by the raw body bytes). While a secret is
being rotated the platform signs with both the old and the new secret, so the
header carries two ``v1`` entries; a receiver accepts the delivery if any one
matches any secret it holds. Verify over the raw bytes *before* parsing JSON.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "WEBHOOK_SECRET_PREFIX",
    "WEBHOOK_SIGNATURE_HEADER",
    "WEBHOOK_SIGNATURE_SCHEME",
    "WEBHOOK_TOLERANCE_SECONDS",
    "ParsedWebhookSignature",
    "WebhookVerificationError",
    "compute_webhook_signature",
    "generate_webhook_secret",
    "parse_webhook_signature",
    "sign_webhook",
    "verify_webhook",
]

WEBHOOK_SIGNATURE_HEADER = "X-DDT-Webhook-Signature"
WEBHOOK_SIGNATURE_SCHEME = "v1"
WEBHOOK_TOLERANCE_SECONDS = 300
WEBHOOK_SECRET_PREFIX = "ddtwh_"  # noqa: S105 - a public prefix, not a secret


class WebhookVerificationError(Exception):
    """A webhook delivery failed verification; ``reason`` is a short stable tag.

    Reasons: ``malformed_header``, ``no_signature``, ``stale_timestamp``,
    ``bad_signature``.
    """

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class ParsedWebhookSignature:
    """The timestamp and every ``v1`` signature found in a signature header."""

    timestamp: int
    signatures: tuple[str, ...]


def generate_webhook_secret() -> str:
    """Return a fresh endpoint secret: ``ddtwh_`` + 32 random bytes as unpadded base64url."""
    return WEBHOOK_SECRET_PREFIX + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def compute_webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    """Lower-case hex HMAC-SHA256 over ``b"<timestamp>." + body``."""
    message = f"{timestamp}.".encode("ascii") + body
    return hmac.new(secret.encode("ascii"), message, hashlib.sha256).hexdigest()


def _as_list(secrets_: str | Iterable[str]) -> list[str]:
    return [secrets_] if isinstance(secrets_, str) else list(secrets_)


def sign_webhook(secret: str | Iterable[str], body: bytes, *, timestamp: int | None = None) -> str:
    """Return the ``X-DDT-Webhook-Signature`` value; one ``v1`` per secret given."""
    keys = _as_list(secret)
    if not keys:
        raise ValueError("at least one secret is required")
    t = int(time.time()) if timestamp is None else timestamp
    parts = [f"t={t}"]
    parts.extend(f"{WEBHOOK_SIGNATURE_SCHEME}={compute_webhook_signature(key, t, body)}" for key in keys)
    return ",".join(parts)


def parse_webhook_signature(header: str) -> ParsedWebhookSignature:
    """Parse ``t=…,v1=…[,v1=…]``; unknown schemes (e.g. a future ``v2``) are ignored."""
    timestamp: int | None = None
    signatures: list[str] = []
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if not sep:
            raise WebhookVerificationError("malformed_header", f"element {item!r} is not key=value")
        if key == "t":
            if timestamp is not None:
                raise WebhookVerificationError("malformed_header", "more than one t= element")
            if not value.isascii() or not value.isdigit():
                raise WebhookVerificationError("malformed_header", "t must be unix seconds")
            timestamp = int(value)
        elif key == WEBHOOK_SIGNATURE_SCHEME:
            if not value.isascii():
                raise WebhookVerificationError("malformed_header", "v1 must be hex")
            signatures.append(value)
    if timestamp is None:
        raise WebhookVerificationError("malformed_header", "no t= element")
    if not signatures:
        raise WebhookVerificationError("no_signature", f"no {WEBHOOK_SIGNATURE_SCHEME}= element")
    return ParsedWebhookSignature(timestamp=timestamp, signatures=tuple(signatures))


def verify_webhook(
    secret: str | Iterable[str],
    header: str,
    body: bytes,
    *,
    now: float | None = None,
    tolerance: int = WEBHOOK_TOLERANCE_SECONDS,
) -> int:
    """Verify a delivery and return its signed timestamp.

    Accepts if any ``v1`` matches any of the given secrets (pass both during
    your own rotation). Unlike Stripe's SDK, a timestamp too far in the *future*
    is refused as well. Comparisons are constant-time. Raises
    :class:`WebhookVerificationError`.
    """
    parsed = parse_webhook_signature(header)
    current = time.time() if now is None else now
    if abs(current - parsed.timestamp) > tolerance:
        raise WebhookVerificationError(
            "stale_timestamp", f"t={parsed.timestamp} is more than {tolerance} s from now ({int(current)})"
        )
    keys = _as_list(secret)
    if not keys:
        raise ValueError("at least one secret is required")
    matched = False
    for key in keys:
        expected = compute_webhook_signature(key, parsed.timestamp, body)
        for candidate in parsed.signatures:
            # Keep looping after a match so timing does not reveal which entry matched.
            matched |= hmac.compare_digest(expected, candidate)
    if not matched:
        raise WebhookVerificationError("bad_signature", "no v1 signature matches")
    return parsed.timestamp
