"""Signed requests: every refusal has its own 401 code (docs/signing.md §6); replays,
tampering and stale timestamps are refused; revocation and suspension act at once."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from sdk.signing import prepare_signature
from services.gateway.components import GatewayComponents
from services.gateway.credentials.models import ApiCredential
from tests.gateway.support import Gateway, PartyKey


def _code(response) -> str:  # type: ignore[no-untyped-def]
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return response.json()["code"]


async def _signed_headers(
    gateway: Gateway, who: PartyKey, method: str, path: str, body: bytes = b"", **kwargs: object
) -> dict[str, str]:
    return prepare_signature(
        key_id=who.key_id, secret=who.secret, method=method, path=path, body=body, **kwargs
    ).headers  # type: ignore[arg-type]


async def test_unsigned_request_is_refused_with_missing_header_and_a_challenge(gateway: Gateway) -> None:
    response = await gateway.call("GET", "/v1/parties/me", None)
    assert response.status_code == 401
    assert _code(response) == "auth.missing_header"
    assert response.headers["www-authenticate"] == "DDT1-HMAC-SHA256"


async def test_bearer_and_signature_together_are_conflicting_credentials(gateway: Gateway) -> None:
    response = await gateway.call(
        "GET", "/v1/parties/me", gateway.admin, headers={"Authorization": "Bearer x"}
    )
    assert _code(response) == "auth.conflicting_credentials"


async def test_unknown_algorithm_is_refused(gateway: Gateway) -> None:
    headers = await _signed_headers(gateway, gateway.admin, "GET", "/v1/parties/me")
    headers["X-DDT-Algorithm"] = "DDT9-HMAC-MD5"
    response = await gateway.client.get("/v1/parties/me", headers=headers)
    assert _code(response) == "auth.unsupported_algorithm"


async def test_malformed_nonce_is_refused_naming_the_header(gateway: Gateway) -> None:
    headers = await _signed_headers(gateway, gateway.admin, "GET", "/v1/parties/me")
    headers["X-DDT-Nonce"] = "short"
    response = await gateway.client.get("/v1/parties/me", headers=headers)
    assert _code(response) == "auth.malformed_header"
    assert "X-DDT-Nonce" in response.json()["detail"]


@pytest.mark.parametrize("offset", [-301, 301], ids=["past", "future"])
async def test_timestamp_outside_300_seconds_is_stale(gateway: Gateway, offset: int) -> None:
    response = await gateway.call("GET", "/v1/parties/me", gateway.admin, timestamp=int(time.time()) + offset)
    assert _code(response) == "auth.stale_timestamp"


async def test_unknown_key_id_is_refused(gateway: Gateway) -> None:
    ghost = PartyKey("pty_x", "ddtk_" + "a" * 24, "ddts_" + "b" * 43)
    response = await gateway.call("GET", "/v1/parties/me", ghost)
    assert _code(response) == "auth.unknown_key"


async def test_tampered_body_fails_the_body_hash(gateway: Gateway) -> None:
    ent = await gateway.enterprise()
    body = b'{"label":"a"}'
    headers = await _signed_headers(gateway, ent, "POST", "/v1/credentials", body)
    headers |= {"Content-Type": "application/json", "Idempotency-Key": "k-tamper-body"}
    response = await gateway.client.post("/v1/credentials", content=b'{"label":"b"}', headers=headers)
    assert _code(response) == "auth.body_hash_mismatch"


async def test_tampered_query_fails_the_signature(gateway: Gateway) -> None:
    headers = await _signed_headers(gateway, gateway.admin, "GET", "/v1/parties", query="limit=1")
    response = await gateway.client.get("/v1/parties?limit=200", headers=headers)
    assert _code(response) == "auth.bad_signature"


async def test_signature_made_with_another_secret_is_bad(gateway: Gateway) -> None:
    ent = await gateway.enterprise()
    forged = PartyKey(ent.party_id, ent.key_id, gateway.admin.secret)
    response = await gateway.call("GET", "/v1/parties/me", forged)
    assert _code(response) == "auth.bad_signature"


async def test_replayed_request_is_refused_as_replayed_nonce(gateway: Gateway) -> None:
    headers = await _signed_headers(gateway, gateway.admin, "GET", "/v1/parties/me")
    first = await gateway.client.get("/v1/parties/me", headers=headers)
    again = await gateway.client.get("/v1/parties/me", headers=headers)
    assert first.status_code == 200
    assert _code(again) == "auth.replayed_nonce"


async def test_forged_request_does_not_use_up_the_nonce(gateway: Gateway) -> None:
    headers = await _signed_headers(gateway, gateway.admin, "GET", "/v1/parties/me")
    forged = dict(headers, **{"X-DDT-Signature": "0" * 64})
    assert _code(await gateway.client.get("/v1/parties/me", headers=forged)) == "auth.bad_signature"
    assert (await gateway.client.get("/v1/parties/me", headers=headers)).status_code == 200


async def test_revoked_key_is_refused_on_the_next_request(gateway: Gateway) -> None:
    ent = await gateway.enterprise()
    assert (await gateway.call("GET", "/v1/parties/me", ent)).status_code == 200
    revoked = await gateway.call("DELETE", f"/v1/credentials/{ent.key_id}", ent)
    assert revoked.status_code == 200
    assert _code(await gateway.call("GET", "/v1/parties/me", ent)) == "auth.key_revoked"


async def test_suspended_party_is_refused_and_reactivation_restores_access(gateway: Gateway) -> None:
    ent = await gateway.enterprise()
    suspended = await gateway.call(
        "POST",
        f"/v1/parties/{ent.party_id}/suspend",
        gateway.admin,
        json_body={"reason": "licence withdrawn"},
    )
    assert suspended.status_code == 200, suspended.text
    assert _code(await gateway.call("GET", "/v1/parties/me", ent)) == "auth.suspended_party"
    await gateway.call("POST", f"/v1/parties/{ent.party_id}/reactivate", gateway.admin, json_body={})
    assert (await gateway.call("GET", "/v1/parties/me", ent)).status_code == 200


async def test_two_active_keys_work_and_a_third_is_refused(gateway: Gateway) -> None:
    ent = await gateway.enterprise()
    second = await gateway.call("POST", "/v1/credentials", ent, json_body={"label": "rotation"})
    assert second.status_code == 201
    other = PartyKey(ent.party_id, second.json()["key_id"], second.json()["secret"])
    assert (await gateway.call("GET", "/v1/parties/me", ent)).status_code == 200
    assert (await gateway.call("GET", "/v1/parties/me", other)).status_code == 200
    third = await gateway.call("POST", "/v1/credentials", ent, json_body={})
    assert third.status_code == 409
    assert _code(third) == "credential.limit_reached"


async def test_secret_is_shown_once_and_stored_sealed(gateway: Gateway) -> None:
    ent = await gateway.enterprise()
    listed = await gateway.call("GET", "/v1/credentials", ent)
    assert ent.secret not in listed.text
    assert "secret" not in listed.json()["items"][0]
    async with gateway.runtime.db.transaction() as session:
        row = await session.scalar(select(ApiCredential).where(ApiCredential.key_id == ent.key_id))
    assert ent.secret not in row.sealed_secret
    assert row.sealed_secret.startswith("v1.")


async def test_sealed_secret_moved_to_another_credential_does_not_open(gateway: Gateway) -> None:
    from services.gateway.credentials.sealing import SealedSecretError

    sealer = gateway.runtime.components.get(GatewayComponents).sealer
    sealed = sealer.seal("ddts_secret", "ddtk_owner")
    with pytest.raises(SealedSecretError):
        sealer.open(sealed, "ddtk_thief")
