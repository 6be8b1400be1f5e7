"""OAuth2 client credentials: short-lived EdDSA tokens; alg none, algorithm confusion,
wrong audience or issuer refused; revocation and suspension end a token's use at once."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from sdk import AsyncDdtClient
from services.gateway.components import GatewayComponents
from tests.gateway.support import Gateway, PartyKey


def _basic(key: PartyKey) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key.key_id}:{key.secret}".encode()).decode()}


async def _token(gateway: Gateway, key: PartyKey) -> httpx.Response:
    return await gateway.client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, headers=_basic(key)
    )


async def _me(gateway: Gateway, token: str) -> httpx.Response:
    return await gateway.client.get("/v1/parties/me", headers={"Authorization": f"Bearer {token}"})


async def test_client_credentials_token_authenticates_api_calls(gateway: Gateway) -> None:
    ent = await gateway.enterprise()
    issued = await _token(gateway, ent)
    assert issued.status_code == 200, issued.text
    assert issued.json()["token_type"] == "Bearer"
    assert issued.json()["expires_in"] == gateway.settings.oauth_token_ttl_seconds
    assert (await _me(gateway, issued.json()["access_token"])).json()["id"] == ent.party_id


async def test_sdk_in_oauth_mode_calls_through_the_gateway(gateway: Gateway) -> None:
    ent = await gateway.enterprise()
    transport = httpx.ASGITransport(app=gateway.app)
    async with AsyncDdtClient(
        "http://testserver", ent.key_id, ent.secret, auth="oauth", transport=transport, max_retries=0
    ) as client:
        assert (await client.get("/v1/parties/me")).json()["id"] == ent.party_id


async def test_wrong_secret_gets_invalid_client(gateway: Gateway) -> None:
    ent = await gateway.enterprise()
    response = await _token(gateway, PartyKey(ent.party_id, ent.key_id, "ddts_" + "x" * 43))
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


async def test_a_wrong_basic_secret_is_challenged_with_basic(gateway: Gateway) -> None:
    ent = await gateway.enterprise()
    response = await _token(gateway, PartyKey(ent.party_id, ent.key_id, "ddts_" + "x" * 43))
    assert response.headers.get("www-authenticate") == 'Basic realm="ddt"'


async def _post_token(gateway: Gateway, key_id: str, secret: str) -> httpx.Response:
    form = {"grant_type": "client_credentials", "client_id": key_id, "client_secret": secret}
    return await gateway.client.post("/oauth/token", data=form)


async def test_credentials_in_the_form_body_get_a_token(gateway: Gateway) -> None:
    ent = await gateway.enterprise()
    issued = await _post_token(gateway, ent.key_id, ent.secret)
    assert (await _me(gateway, issued.json()["access_token"])).json()["id"] == ent.party_id


async def test_a_wrong_secret_in_the_form_body_gets_invalid_client_without_a_challenge(
    gateway: Gateway,
) -> None:
    ent = await gateway.enterprise()
    response = await _post_token(gateway, ent.key_id, "ddts_" + "x" * 43)
    assert (response.status_code, response.json()["error"], "www-authenticate" in response.headers) == (
        401,
        "invalid_client",
        False,
    )


async def test_a_form_body_without_the_secret_gets_invalid_client_without_a_challenge(
    gateway: Gateway,
) -> None:
    ent = await gateway.enterprise()
    response = await gateway.client.post(
        "/oauth/token", data={"grant_type": "client_credentials", "client_id": ent.key_id}
    )
    assert (response.status_code, response.json()["error"], "www-authenticate" in response.headers) == (
        401,
        "invalid_client",
        False,
    )


async def test_authenticating_both_ways_at_once_is_an_invalid_request(gateway: Gateway) -> None:
    ent = await gateway.enterprise()
    form = {"grant_type": "client_credentials", "client_id": ent.key_id, "client_secret": ent.secret}
    response = await gateway.client.post("/oauth/token", data=form, headers=_basic(ent))
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")


async def test_other_grant_types_are_unsupported(gateway: Gateway) -> None:
    ent = await gateway.enterprise()
    response = await gateway.client.post("/oauth/token", data={"grant_type": "password"}, headers=_basic(ent))
    assert response.json()["error"] == "unsupported_grant_type"


def _claims(gateway: Gateway, party_id: str, key_id: str, **overrides: object) -> dict[str, object]:
    now = dt.datetime.now(dt.UTC)
    claims: dict[str, object] = {
        "iss": gateway.settings.oauth_issuer,
        "aud": gateway.settings.oauth_audience,
        "sub": party_id,
        "cid": key_id,
        "iat": now,
        "nbf": now,
        "exp": now + dt.timedelta(minutes=5),
    }
    claims.update(overrides)
    return claims


async def test_alg_none_token_is_refused(gateway: Gateway) -> None:
    ent = await gateway.enterprise()
    token = jwt.encode(_claims(gateway, ent.party_id, ent.key_id), key=None, algorithm="none")
    response = await _me(gateway, token)
    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid_token"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _hand_made_hs256(claims: dict[str, object], key: bytes) -> str:
    # PyJWT itself refuses to HMAC with a public key, so the attacker's token is built by hand.
    body = {k: int(v.timestamp()) if isinstance(v, dt.datetime) else v for k, v in claims.items()}
    signing_input = (
        f"{_b64(json.dumps({'alg': 'HS256', 'typ': 'JWT'}).encode())}.{_b64(json.dumps(body).encode())}"
    )
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


async def test_hs256_token_signed_with_the_public_key_is_refused(gateway: Gateway) -> None:
    ent = await gateway.enterprise()
    public = gateway.runtime.components.get(GatewayComponents).tokens.public_key
    for encoding, fmt in (
        (serialization.Encoding.Raw, serialization.PublicFormat.Raw),
        (serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo),
    ):
        key_bytes = public.public_bytes(encoding, fmt)
        token = _hand_made_hs256(_claims(gateway, ent.party_id, ent.key_id), key_bytes)
        assert (await _me(gateway, token)).json()["code"] == "auth.invalid_token"


@pytest.mark.parametrize(
    "claim, value",
    [
        ("aud", "another-api"),
        ("iss", "https://evil.example"),
        ("exp", dt.datetime(2020, 1, 1, tzinfo=dt.UTC)),
    ],
)
async def test_token_with_wrong_audience_issuer_or_expiry_is_refused(
    gateway: Gateway, claim: str, value: object
) -> None:
    ent = await gateway.enterprise()
    authority = gateway.runtime.components.get(GatewayComponents).tokens
    token = jwt.encode(
        _claims(gateway, ent.party_id, ent.key_id, **{claim: value}),
        authority._key,  # noqa: SLF001
        algorithm="EdDSA",
    )
    assert (await _me(gateway, token)).json()["code"] == "auth.invalid_token"


async def test_revoking_the_credential_ends_its_tokens_at_once(gateway: Gateway) -> None:
    ent = await gateway.enterprise()
    token = (await _token(gateway, ent)).json()["access_token"]
    await gateway.call("DELETE", f"/v1/parties/{ent.party_id}/credentials/{ent.key_id}", gateway.admin)
    assert (await _me(gateway, token)).json()["code"] == "auth.invalid_token"


async def test_suspending_the_party_ends_its_tokens_at_once(gateway: Gateway) -> None:
    ent = await gateway.enterprise()
    token = (await _token(gateway, ent)).json()["access_token"]
    await gateway.call("POST", f"/v1/parties/{ent.party_id}/suspend", gateway.admin, json_body={})
    assert (await _me(gateway, token)).json()["code"] == "auth.suspended_party"
