"""RemoteSigner against the reference signing server (ASGI, in process — no network)."""

from __future__ import annotations

import base64

import httpx
import pytest

from services.declaration.customs.core.signing import (
    RSA_SHA1_PROFILE,
    SM2_SM3_PROFILE,
    RemoteSigner,
    RemoteSignerError,
    SignerIdentity,
    create_signing_app,
    generate_rsa_test_identity,
    verify_document,
)
from services.declaration.customs.core.signing.protocol import INFO_PATH, SIGN_PATH
from tests.declaration.exchange.exchange_testdata import unsigned_inventory

BASE = "http://signer.test"


def _client(
    identity: SignerIdentity, profile=RSA_SHA1_PROFILE, token: str | None = "s3cret"
) -> httpx.AsyncClient:
    app = create_signing_app(identity, profile, token=token)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)


@pytest.mark.parametrize("kind", ["rsa", "sm2"])
async def test_remote_signer_round_trips_through_the_reference_server(
    kind: str, rsa_identity: SignerIdentity, sm2_identity: SignerIdentity
) -> None:
    identity, profile = (rsa_identity, RSA_SHA1_PROFILE) if kind == "rsa" else (sm2_identity, SM2_SM3_PROFILE)
    async with _client(identity, profile) as client:
        signer = RemoteSigner(BASE, profile, token="s3cret", client=client)
        info = await signer.info()
        assert info["keyName"] == identity.key_name and info["signatureMethod"] == profile.signature_uri
        signed = await signer.sign(unsigned_inventory())
    result = signer.verify(signed)
    assert result.valid and result.key_name == identity.key_name
    assert result.certificate == identity.certificate
    pinned = RemoteSigner(BASE, profile, trusted_key=identity.key.verifying_key())
    assert pinned.verify(signed).key_source == "configured"


async def test_wrong_token_is_refused(rsa_identity: SignerIdentity) -> None:
    async with _client(rsa_identity) as client:
        signer = RemoteSigner(BASE, RSA_SHA1_PROFILE, token="wrong", client=client)
        with pytest.raises(RemoteSignerError, match="401 unauthorized"):
            await signer.sign(unsigned_inventory())


async def test_a_server_holding_another_key_than_the_pinned_one_is_caught(
    rsa_identity: SignerIdentity,
) -> None:
    stranger = generate_rsa_test_identity(key_size=1024)
    async with _client(stranger) as client:
        signer = RemoteSigner(
            BASE,
            RSA_SHA1_PROFILE,
            token="s3cret",
            trusted_key=rsa_identity.key.verifying_key(),
            client=client,
        )
        with pytest.raises(RemoteSignerError, match="does not verify"):
            await signer.sign(unsigned_inventory())


async def test_algorithm_mismatch_is_refused(sm2_identity: SignerIdentity) -> None:
    async with _client(sm2_identity, SM2_SM3_PROFILE) as client:
        signer = RemoteSigner(BASE, RSA_SHA1_PROFILE, token="s3cret", client=client)
        with pytest.raises(RemoteSignerError, match="unsupported_algorithm"):
            await signer.sign(unsigned_inventory())


async def test_the_server_is_not_a_signing_oracle_for_arbitrary_bytes(rsa_identity: SignerIdentity) -> None:
    async with _client(rsa_identity) as client:
        headers = {"Authorization": "Bearer s3cret"}
        for payload in (b"hello", b"<x/>", b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'):
            response = await client.post(
                SIGN_PATH,
                json={
                    "signatureMethod": RSA_SHA1_PROFILE.signature_uri,
                    "signedInfo": base64.b64encode(payload).decode(),
                },
                headers=headers,
            )
            assert response.status_code == 422
        assert (await client.post(SIGN_PATH, content=b"{", headers=headers)).status_code == 400
        assert (await client.get(INFO_PATH)).status_code == 401


async def test_unreachable_server_raises_a_remote_signer_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as client:
        signer = RemoteSigner(BASE, RSA_SHA1_PROFILE, client=client)
        with pytest.raises(RemoteSignerError, match="unreachable"):
            await signer.sign(unsigned_inventory())
    assert not verify_document(unsigned_inventory()).valid
