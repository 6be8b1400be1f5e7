"""Stripe-style webhook signatures: the documented example, rotation, staleness, tampering."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sdk.webhooks import (
    WEBHOOK_SECRET_PREFIX,
    WebhookVerificationError,
    compute_webhook_signature,
    generate_webhook_secret,
    parse_webhook_signature,
    sign_webhook,
    verify_webhook,
)

OLD = "ddtwh_tKbPkoqE1ZqUw0XKnst2GLjY0_FXYZfkPaogugFeR5M"
NEW = "ddtwh_Rgd7xiyxTnIo_-GFIMdYQAFGhqEGmXp74-fPsQhfpis"
T = 1_718_000_000


def _reason(secret, header: str, body: bytes, now: float = T + 5) -> str:
    with pytest.raises(WebhookVerificationError) as caught:
        verify_webhook(secret, header, body, now=now)
    return caught.value.reason


def test_documented_example(signing_doc) -> None:
    body = signing_doc.block("webhook-example-body").encode()
    header = signing_doc.block("webhook-example-header")
    assert sign_webhook(NEW, body, timestamp=T) == header
    # Independent recomputation with the stdlib over the literal message.
    expected = hmac.new(NEW.encode(), b"1718000000." + body, hashlib.sha256).hexdigest()
    assert header == f"t=1718000000,v1={expected}"
    assert verify_webhook(NEW, header, body, now=T + 100) == T
    assert f"({len(body)} bytes" in signing_doc.text


def test_documented_rotation_header(signing_doc) -> None:
    body = signing_doc.block("webhook-example-body").encode()
    header = signing_doc.block("webhook-example-rotation-header")
    assert sign_webhook([OLD, NEW], body, timestamp=T) == header
    # A receiver that still has only the old secret, or already only the new one, accepts it.
    assert verify_webhook(OLD, header, body, now=T) == T
    assert verify_webhook(NEW, header, body, now=T) == T


def test_receiver_holding_two_secrets_accepts_either_single_signature() -> None:
    body = b'{"id":"evt_1"}'
    assert verify_webhook([OLD, NEW], sign_webhook(OLD, body, timestamp=T), body, now=T) == T
    assert verify_webhook([OLD, NEW], sign_webhook(NEW, body, timestamp=T), body, now=T) == T


def test_wrong_secret_is_refused() -> None:
    body = b"{}"
    assert _reason(generate_webhook_secret(), sign_webhook(NEW, body, timestamp=T), body) == "bad_signature"


@pytest.mark.parametrize("skew", [301, -301, 86_400])
def test_stale_or_future_timestamp_is_refused(skew) -> None:
    body = b"{}"
    assert _reason(NEW, sign_webhook(NEW, body, timestamp=T), body, now=T + skew) == "stale_timestamp"


def test_timestamp_cannot_be_moved_without_breaking_the_signature() -> None:
    body = b"{}"
    signature = compute_webhook_signature(NEW, T, body)
    assert _reason(NEW, f"t={T + 1},v1={signature}", body) == "bad_signature"


@given(st.binary(min_size=1, max_size=64), st.data())
def test_any_body_change_is_refused(body, data) -> None:
    header = sign_webhook(NEW, body, timestamp=T)
    index = data.draw(st.integers(min_value=0, max_value=len(body) - 1))
    tampered = bytearray(body)
    tampered[index] ^= data.draw(st.integers(min_value=1, max_value=255))
    assert _reason(NEW, header, bytes(tampered)) == "bad_signature"


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("", "malformed_header"),
        ("v1=abc", "malformed_header"),
        ("t=abc,v1=00", "malformed_header"),
        ("t=1,t=2,v1=00", "malformed_header"),
        ("t=1718000000", "no_signature"),
        ("t=1718000000,v0=00", "no_signature"),
        ("t=1718000000,garbage", "malformed_header"),
    ],
)
def test_malformed_headers(header, reason) -> None:
    assert _reason(NEW, header, b"{}") == reason


def test_unknown_schemes_are_ignored() -> None:
    body = b"{}"
    header = sign_webhook(NEW, body, timestamp=T) + ",v2=deadbeef"
    assert verify_webhook(NEW, header, body, now=T) == T
    assert parse_webhook_signature(header).signatures == (compute_webhook_signature(NEW, T, body),)


def test_generated_secret_format() -> None:
    secret = generate_webhook_secret()
    assert secret.startswith(WEBHOOK_SECRET_PREFIX) and len(secret) == len(WEBHOOK_SECRET_PREFIX) + 43
    assert secret != generate_webhook_secret()


def test_a_secret_is_required() -> None:
    with pytest.raises(ValueError):
        sign_webhook([], b"{}")
