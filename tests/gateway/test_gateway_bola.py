"""Object-level isolation (OWASP API1): party A can neither read nor change B's objects,
through item, list, search and export routes. Each route family is a row of CASES; a new
family adds a row."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from services.gateway.webhooks.dispatch import fan_out
from shared.events import build_event
from shared.events.gateway import PartyStatusChanged
from shared.sqltypes import utcnow
from tests.gateway.support import Gateway, PartyKey

PUBLIC_HOOK = "https://93.184.216.34/ddt-hook"


@dataclass
class Owned:
    """What B owns: ids that must never work for A, and strings that must never reach A."""

    ids: dict[str, str]
    secrets: list[str]


async def _subscription(gw: Gateway, owner: PartyKey) -> Owned:
    created = await gw.call(
        "POST",
        "/v1/webhooks/subscriptions",
        owner,
        json_body={"url": PUBLIC_HOOK + "/" + owner.party_id, "event_types": ["*"]},
    )
    assert created.status_code == 201, created.text
    return Owned({"subscription_id": created.json()["id"]}, [created.json()["secret"], created.json()["url"]])


async def _delivery(gw: Gateway, owner: PartyKey) -> Owned:
    sub = await _subscription(gw, owner)
    event = build_event(
        PartyStatusChanged(party_id=owner.party_id, status="active", occurred_at=utcnow()),
        source="/ddt/gateway",
        subject=owner.party_id,
    )
    async with gw.runtime.db.transaction() as session:
        await fan_out(session, event, None)  # type: ignore[arg-type]
    listed = await gw.call(
        "GET", f"/v1/webhooks/subscriptions/{sub.ids['subscription_id']}/deliveries", owner
    )
    delivery_id = listed.json()["items"][0]["id"]
    return Owned({**sub.ids, "delivery_id": delivery_id}, sub.secrets)


async def _credential(gw: Gateway, owner: PartyKey) -> Owned:
    return Owned({"key_id": owner.key_id}, [owner.secret])


async def _idempotency(gw: Gateway, owner: PartyKey) -> Owned:
    key = f"bola-{uuid.uuid4()}"
    made = await gw.call("POST", "/v1/credentials", owner, json_body={"label": "b-only"}, idempotency_key=key)
    assert made.status_code == 201
    return Owned({"key": key}, [made.json()["secret"], made.json()["key_id"]])


async def _party(gw: Gateway, owner: PartyKey) -> Owned:
    return Owned({"party_id": owner.party_id}, [])


@dataclass
class Case:
    family: str
    make: Callable[[Gateway, PartyKey], Awaitable[Owned]]
    attempts: list[tuple[str, str, Any]]  # method, path template (ids of Owned), body


CASES = [
    Case(
        "parties",
        _party,
        [
            ("GET", "/v1/parties/{party_id}", None),
            ("PATCH", "/v1/parties/{party_id}", {"name": "taken over"}),
            ("POST", "/v1/parties/{party_id}/suspend", {}),
            ("POST", "/v1/parties/{party_id}/credentials", {}),
            ("GET", "/v1/parties?limit=200", None),
        ],
    ),
    Case(
        "credentials",
        _credential,
        [
            ("DELETE", "/v1/credentials/{key_id}", None),
            ("GET", "/v1/credentials", None),
        ],
    ),
    Case(
        "webhook subscriptions",
        _subscription,
        [
            ("GET", "/v1/webhooks/subscriptions/{subscription_id}", None),
            ("PATCH", "/v1/webhooks/subscriptions/{subscription_id}", {"status": "disabled"}),
            ("POST", "/v1/webhooks/subscriptions/{subscription_id}/rotate-secret", {}),
            ("GET", "/v1/webhooks/subscriptions/{subscription_id}/deliveries", None),
            ("DELETE", "/v1/webhooks/subscriptions/{subscription_id}", None),
            ("GET", "/v1/webhooks/subscriptions", None),
        ],
    ),
    Case(
        "webhook deliveries",
        _delivery,
        [
            ("GET", "/v1/webhooks/deliveries/{delivery_id}", None),
            ("POST", "/v1/webhooks/deliveries/{delivery_id}/replay", {}),
            ("GET", "/v1/webhooks/deliveries", None),
            ("GET", "/v1/webhooks/deliveries?status=pending", None),
        ],
    ),
    Case(
        "idempotency records",
        _idempotency,
        [
            ("GET", "/v1/idempotency-keys/{key}", None),
        ],
    ),
    Case(
        "audit",
        _party,
        [
            ("GET", "/v1/audit?party_id={party_id}", None),
            ("GET", "/v1/audit/export?party_id={party_id}", None),
        ],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.family for c in CASES])
async def test_party_a_cannot_read_or_change_party_b_objects(gateway: Gateway, case: Case) -> None:
    party_a = await gateway.enterprise()
    party_b = await gateway.enterprise()
    owned = await case.make(gateway, party_b)
    leaks = [party_b.party_id, *owned.ids.values(), *owned.secrets]
    for method, template, body in case.attempts:
        path = template.format(**{"party_id": party_b.party_id, **owned.ids})
        response = await gateway.call(method, path, party_a, json_body=body)
        if response.status_code < 400:
            assert response.request.method == "GET", f"{method} {path} succeeded for A"
        else:
            assert response.status_code in (403, 404), (method, path, response.status_code, response.text)
        found = [s for s in leaks if s in response.text]
        assert not found, f"{method} {path} leaked {found}"
    # B's objects still work for B (nothing A did changed them).
    assert (await gateway.call("GET", "/v1/parties/me", party_b)).status_code == 200


async def test_same_idempotency_key_in_two_parties_never_replays_the_other_partys_answer(
    gateway: Gateway,
) -> None:
    party_a = await gateway.enterprise()
    party_b = await gateway.enterprise()
    key = f"shared-{uuid.uuid4()}"
    b_made = await gateway.call(
        "POST", "/v1/credentials", party_b, json_body={"label": "x"}, idempotency_key=key
    )
    a_made = await gateway.call(
        "POST", "/v1/credentials", party_a, json_body={"label": "x"}, idempotency_key=key
    )
    assert a_made.status_code == 201
    assert "idempotent-replayed" not in a_made.headers
    assert a_made.json()["party_id"] == party_a.party_id
    assert b_made.json()["secret"] not in a_made.text
