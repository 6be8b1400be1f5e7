"""Idempotency-Key on POST/PUT/PATCH (docs/signing.md §8), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid

from sqlalchemy import func, select, update

from services.gateway.components import GatewayComponents
from services.gateway.idempotency.models import IdempotencyRecord
from services.gateway.idempotency.service import StoredResponse, fingerprint
from services.gateway.webhooks.models import WebhookSubscription
from tests.gateway.support import Gateway, PartyKey

HOOK = {"url": "https://93.184.216.34/idem", "event_types": ["ddt.declaration.*"]}
PATH = "/v1/webhooks/subscriptions"


async def _subscriptions(gw: Gateway, party: PartyKey) -> int:
    async with gw.runtime.db.transaction() as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(WebhookSubscription)
                .where(WebhookSubscription.party_id == party.party_id)
            )
        )


async def _begin_on_another_replica(
    gw: Gateway, party: PartyKey, key: str, body: bytes, request_id: str
) -> StoredResponse | None:
    """Take ``key`` for a POST of ``body`` to PATH in the store directly, as another replica would."""
    store = gw.runtime.components.get(GatewayComponents).idempotency
    return await store.begin(
        party_id=party.party_id,
        key=key,
        method="POST",
        path=PATH,
        fingerprint=fingerprint("POST", PATH, "", body),
        request_id=request_id,
    )


async def _one_second_ago(gw: Gateway, key: str, column: str) -> None:
    """Set ``column`` of ``key``'s record to a second ago, so its deadline has passed."""
    async with gw.runtime.db.transaction() as session:
        await session.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.key == key)
            .values({column: dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)})
        )


async def test_repeat_with_same_key_replays_stored_status_and_body(gateway_on_each_db: Gateway) -> None:
    gw = gateway_on_each_db
    party = await gw.enterprise()
    key = str(uuid.uuid4())
    first = await gw.call("POST", PATH, party, json_body=HOOK, idempotency_key=key)
    again = await gw.call("POST", PATH, party, json_body=HOOK, idempotency_key=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await _subscriptions(gw, party) == 1


async def test_same_key_with_another_payload_is_422(gateway_on_each_db: Gateway) -> None:
    gw = gateway_on_each_db
    party = await gw.enterprise()
    key = str(uuid.uuid4())
    await gw.call("POST", PATH, party, json_body=HOOK, idempotency_key=key)
    other = await gw.call(
        "POST", PATH, party, json_body={**HOOK, "description": "changed"}, idempotency_key=key
    )
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency.payload_mismatch"


async def test_duplicate_while_first_is_in_progress_is_409_with_retry_after(
    gateway_on_each_db: Gateway,
) -> None:
    gw = gateway_on_each_db
    party = await gw.enterprise()
    key = str(uuid.uuid4())
    body = json.dumps(HOOK, separators=(",", ":")).encode()
    # Another replica is executing this very request right now.
    assert await _begin_on_another_replica(gw, party, key, body, "other-replica") is None
    response = await gw.call("POST", PATH, party, content=body, idempotency_key=key)
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency.in_progress"
    assert int(response.headers["retry-after"]) >= 1


async def test_concurrent_duplicates_execute_once(gateway_on_each_db: Gateway) -> None:
    gw = gateway_on_each_db
    party = await gw.enterprise()
    key = str(uuid.uuid4())
    responses = await asyncio.gather(
        *(gw.call("POST", PATH, party, json_body=HOOK, idempotency_key=key) for _ in range(10))
    )
    assert {r.status_code for r in responses} <= {201, 409}
    created = {r.json()["id"] for r in responses if r.status_code == 201}
    assert len(created) == 1
    assert await _subscriptions(gw, party) == 1


async def test_keys_are_scoped_per_party(gateway_on_each_db: Gateway) -> None:
    gw = gateway_on_each_db
    a, b = await gw.enterprise(), await gw.enterprise()
    key = str(uuid.uuid4())
    first_a = await gw.call("POST", PATH, a, json_body=HOOK, idempotency_key=key)
    first_b = await gw.call("POST", PATH, b, json_body=HOOK, idempotency_key=key)
    assert first_a.status_code == first_b.status_code == 201
    assert first_a.json()["id"] != first_b.json()["id"]


async def test_missing_key_is_400(gateway_on_each_db: Gateway) -> None:
    party = await gateway_on_each_db.enterprise()
    response = await gateway_on_each_db.call("POST", PATH, party, json_body=HOOK, idempotency_key=None)
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency.key_missing"


async def test_malformed_key_is_400(gateway_on_each_db: Gateway) -> None:
    party = await gateway_on_each_db.enterprise()
    response = await gateway_on_each_db.call("POST", PATH, party, json_body=HOOK, idempotency_key="x" * 256)
    assert response.json()["code"] == "idempotency.key_malformed"


async def test_structured_field_string_form_is_the_same_key(gateway_on_each_db: Gateway) -> None:
    gw = gateway_on_each_db
    party = await gw.enterprise()
    key = str(uuid.uuid4())
    first = await gw.call("POST", PATH, party, json_body=HOOK, idempotency_key=key)
    quoted = await gw.call("POST", PATH, party, json_body=HOOK, idempotency_key=f'"{key}"')
    assert quoted.json() == first.json()


async def test_request_failing_validation_stores_nothing_and_the_key_stays_usable(
    gateway_on_each_db: Gateway,
) -> None:
    gw = gateway_on_each_db
    party = await gw.enterprise()
    key = str(uuid.uuid4())
    invalid = await gw.call(
        "POST", PATH, party, json_body={"url": "https://93.184.216.34/x"}, idempotency_key=key
    )
    assert invalid.status_code == 422
    assert invalid.json()["code"] == "request.validation_failed"
    fixed = await gw.call("POST", PATH, party, json_body=HOOK, idempotency_key=key)
    assert fixed.status_code == 201


async def test_refusal_after_execution_is_replayed_too(gateway_on_each_db: Gateway) -> None:
    gw = gateway_on_each_db
    party = await gw.enterprise()
    await gw.call("POST", "/v1/credentials", party, json_body={})  # second key: the limit is reached
    key = str(uuid.uuid4())
    refused = await gw.call("POST", "/v1/credentials", party, json_body={}, idempotency_key=key)
    again = await gw.call("POST", "/v1/credentials", party, json_body={}, idempotency_key=key)
    assert refused.status_code == again.status_code == 409
    assert again.json()["code"] == "credential.limit_reached"
    assert again.headers["idempotent-replayed"] == "true"


async def test_records_are_kept_at_least_24_hours(gateway_on_each_db: Gateway) -> None:
    gw = gateway_on_each_db
    party = await gw.enterprise()
    key = str(uuid.uuid4())
    await gw.call("POST", PATH, party, json_body=HOOK, idempotency_key=key)
    async with gw.runtime.db.transaction() as session:
        row = await session.get(IdempotencyRecord, (party.party_id, key))
    assert row.expires_at - row.created_at >= dt.timedelta(hours=24)
    state = await gw.call("GET", f"/v1/idempotency-keys/{key}", party)
    assert state.json()["state"] == "completed"
    assert state.json()["response_status"] == 201


async def test_expired_key_executes_as_new(gateway_on_each_db: Gateway) -> None:
    gw = gateway_on_each_db
    party = await gw.enterprise()
    key = str(uuid.uuid4())
    first = await gw.call("POST", PATH, party, json_body=HOOK, idempotency_key=key)
    await _one_second_ago(gw, key, "expires_at")
    second = await gw.call("POST", PATH, party, json_body=HOOK, idempotency_key=key)
    assert second.status_code == 201
    assert second.json()["id"] != first.json()["id"]
    assert "idempotent-replayed" not in second.headers


async def test_key_left_in_progress_by_a_crashed_replica_is_taken_over_after_its_lock(
    gateway_on_each_db: Gateway,
) -> None:
    gw = gateway_on_each_db
    party = await gw.enterprise()
    key = str(uuid.uuid4())
    body = json.dumps(HOOK, separators=(",", ":")).encode()
    await _begin_on_another_replica(gw, party, key, body, "crashed")
    await _one_second_ago(gw, key, "locked_until")
    response = await gw.call("POST", PATH, party, content=body, idempotency_key=key)
    assert response.status_code == 201
