"""The internal identity token: only the gateway's key, only for this request, only briefly."""

from __future__ import annotations

import base64
import datetime as dt
import json

import jwt
import pytest

from shared.identity import Identity, IdentitySigner, IdentityVerifier, generate_keypair
from shared.problems import ProblemError
from shared.settings import DEV_IDENTITY_PUBLIC_KEY, DEV_IDENTITY_SEED

PARTY = Identity(party_id="p-1", roles=["ecommerce_enterprise"])
VERIFIER = IdentityVerifier(DEV_IDENTITY_PUBLIC_KEY, "declaration")
SIGNER = IdentitySigner(DEV_IDENTITY_SEED)


def refused(token: str, method: str = "POST", path: str = "/v1/customs/orders") -> str:
    with pytest.raises(ProblemError) as info:
        VERIFIER.verify(token, method=method, path=path)
    return info.value.kind.code


def test_a_token_minted_by_the_gateway_verifies() -> None:
    token = SIGNER.mint(PARTY, audience="ddt-declaration", method="POST", path="/v1/customs/orders")
    assert VERIFIER.verify(token, method="POST", path="/v1/customs/orders") == PARTY


def test_the_dev_public_key_matches_the_dev_seed() -> None:
    token = SIGNER.mint(PARTY, audience="ddt-declaration", method="GET", path="/x")
    assert VERIFIER.verify(token, method="GET", path="/x").party_id == "p-1"


def test_a_token_for_another_service_is_refused() -> None:
    assert (
        refused(SIGNER.mint(PARTY, audience="ddt-stats", method="POST", path="/v1/customs/orders"))
        == "auth.identity_invalid"
    )


def test_a_token_for_another_path_is_refused() -> None:
    token = SIGNER.mint(PARTY, audience="ddt-declaration", method="POST", path="/v1/customs/other")
    assert refused(token) == "auth.identity_invalid"


def test_a_token_for_another_method_is_refused() -> None:
    token = SIGNER.mint(PARTY, audience="ddt-declaration", method="GET", path="/v1/customs/orders")
    assert refused(token) == "auth.identity_invalid"


def test_an_expired_token_is_refused() -> None:
    old = IdentitySigner(DEV_IDENTITY_SEED, ttl_seconds=-60)
    assert (
        refused(old.mint(PARTY, audience="ddt-declaration", method="POST", path="/v1/customs/orders"))
        == "auth.identity_invalid"
    )


def test_a_token_signed_by_another_key_is_refused() -> None:
    seed, _public = generate_keypair()
    other = IdentitySigner(seed)
    assert (
        refused(other.mint(PARTY, audience="ddt-declaration", method="POST", path="/v1/customs/orders"))
        == "auth.identity_invalid"
    )


def test_alg_none_is_refused() -> None:
    claims = {
        "iss": "ddt-gateway",
        "aud": "ddt-declaration",
        "sub": "p-1",
        "iat": dt.datetime.now(dt.UTC),
        "exp": dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1),
        "mth": "POST",
        "pth": "/v1/customs/orders",
        "idn": PARTY.model_dump(),
    }
    token = jwt.encode(claims, key=None, algorithm="none")
    assert refused(token) == "auth.identity_invalid"


def test_hmac_with_the_public_key_as_secret_is_refused() -> None:
    # Algorithm confusion: an attacker signs HS256 using the (public) verification key as the secret.
    header = base64.urlsafe_b64encode(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()).rstrip(b"=")
    now = int(dt.datetime.now(dt.UTC).timestamp())
    payload = base64.urlsafe_b64encode(
        json.dumps(
            {
                "iss": "ddt-gateway",
                "aud": "ddt-declaration",
                "sub": "admin",
                "iat": now,
                "exp": now + 60,
                "mth": "POST",
                "pth": "/v1/customs/orders",
                "idn": {"party_id": "admin", "roles": ["platform_admin"]},
            }
        ).encode()
    ).rstrip(b"=")
    import hashlib
    import hmac

    signing_input = header + b"." + payload
    signature = base64.urlsafe_b64encode(
        hmac.new(DEV_IDENTITY_PUBLIC_KEY.encode(), signing_input, hashlib.sha256).digest()
    ).rstrip(b"=")
    assert refused((signing_input + b"." + signature).decode()) == "auth.identity_invalid"


def test_a_tampered_token_is_refused() -> None:
    token = SIGNER.mint(PARTY, audience="ddt-declaration", method="POST", path="/v1/customs/orders")
    head, body, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["idn"]["roles"] = ["platform_admin"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert refused(f"{head}.{forged}.{sig}") == "auth.identity_invalid"


def test_owns_code_respects_the_registered_kind() -> None:
    identity = Identity.model_validate(
        {"party_id": "p", "codes": [{"code": "3207960001", "kinds": ["ebcCode"]}]}
    )
    assert (identity.owns_code("3207960001", "ebcCode"), identity.owns_code("3207960001", "payCode")) == (
        True,
        False,
    )
