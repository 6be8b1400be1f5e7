"""Object-level isolation (OWASP API1) in payments: an enterprise's transaction information reaches
the enterprise and the institutions it granted — and nobody else, through item, list and export
routes; a revoked grant closes it again. Each route family is a row of CASES; a new family adds one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from services.payments.statements import writers
from shared.identity import Identity
from tests.payments.support import PaymentsApi, bank, enterprise, onboard, pay_institution, receipt


def OWNER() -> Identity:  # noqa: N802 — the cast, per test
    return enterprise("ent-owner")


def STRANGER() -> Identity:  # noqa: N802
    return enterprise("ent-stranger")


def GRANTED() -> Identity:  # noqa: N802
    return pay_institution("pi-granted")


def UNGRANTED() -> Identity:  # noqa: N802 — serves the owner, but was never granted
    return bank("bank-ungranted")


def OUTSIDER() -> Identity:  # noqa: N802 — does not even serve the owner
    return bank("bank-outsider")


@dataclass
class Case:
    family: str
    make: Callable[[PaymentsApi], Awaitable[dict[str, str]]]
    reads: list[str]  # path templates (ids from make), each a read that must be refused to outsiders
    lists: list[str]  # list paths whose items must not include the owner's


async def _transaction(api: PaymentsApi) -> dict[str, str]:
    made = await api.post(
        "/v1/payments/transactions", GRANTED(), json=receipt("BOLA-1", OWNER().party_id, "10")
    )
    assert made.status_code == 201, made.text
    return {"transaction_id": made.json()["id"]}


async def _statement(api: PaymentsApi) -> dict[str, str]:
    from tests.payments.test_statements import _statement as statement

    document = writers.camt053([statement()], "BOLA", dt.datetime(2026, 11, 5, tzinfo=dt.UTC))
    made = await api.post(
        "/v1/payments/statements", GRANTED(), content=document, headers={"content-type": "application/xml"}
    )
    assert made.status_code == 201, made.text
    return {"statement_id": made.json()[0]["id"]}


async def _run(api: PaymentsApi) -> dict[str, str]:
    await _statement(api)
    made = await api.post("/v1/payments/reconciliation/runs", OWNER(), json={})
    assert made.status_code == 201, made.text
    return {"run_id": made.json()["id"]}


CASES = [
    Case(
        "reconciliation",
        _run,
        [
            "/v1/payments/reconciliation/runs/{run_id}",
            "/v1/payments/reconciliation/runs/{run_id}/proposals",
            "/v1/payments/reconciliation/runs/{run_id}/results.csv",
            "/v1/payments/reconciliation/review?enterprise={owner}",
            "/v1/payments/reconciliation/unmatched.csv?enterprise={owner}",
            "/v1/payments/expected-items?enterprise={owner}",
        ],
        [],
    ),
    Case(
        "statements",
        _statement,
        ["/v1/payments/statements/{statement_id}", "/v1/payments/statements/{statement_id}/entries"],
        ["/v1/payments/statements"],
    ),
    Case(
        "transactions",
        _transaction,
        [
            "/v1/payments/transactions/{transaction_id}",
            "/v1/payments/transactions/{transaction_id}/evidence",
            "/v1/payments/transactions/{transaction_id}/evidence/versions",
        ],
        ["/v1/payments/transactions", "/v1/payments/transactions?enterprise={owner}"],
    ),
    Case(
        "ledger and balances",
        _transaction,
        [
            "/v1/payments/balances?enterprise={owner}",
            "/v1/payments/ledger/accounts?enterprise={owner}",
            "/v1/payments/ledger/transfers?enterprise={owner}",
        ],
        [],
    ),
    Case(
        "threshold counters",
        _transaction,
        [],
        ["/v1/payments/thresholds", "/v1/payments/thresholds?enterprise={owner}"],
    ),
]


@pytest.fixture
async def world(payments: PaymentsApi) -> PaymentsApi:
    await onboard(payments, GRANTED(), [OWNER(), STRANGER()], accounts={OWNER().party_id: "6217000012345678"})
    await onboard(payments, UNGRANTED(), [OWNER()], grant=False)
    await onboard(payments, OUTSIDER(), [STRANGER()])
    return payments


def _mentions_owner(body: object) -> bool:
    return OWNER().party_id in str(body)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.family)
async def test_outsiders_never_see_the_owners_objects(world: PaymentsApi, case: Case) -> None:
    ids = await case.make(world)
    for who in (STRANGER(), UNGRANTED(), OUTSIDER()):
        for template in case.reads:
            answer = await world.get(template.format(**ids, owner=OWNER().party_id), who)
            assert answer.status_code == 404, (case.family, who.party_id, template, answer.text)
        for path in case.lists:
            answer = await world.get(path.format(owner=OWNER().party_id), who)
            assert answer.status_code == 200 and not _mentions_owner(answer.json()["items"]), (
                who.party_id,
                path,
            )


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.family)
async def test_the_owner_and_the_granted_institution_see_them(world: PaymentsApi, case: Case) -> None:
    ids = await case.make(world)
    for who in (OWNER(), GRANTED()):
        for template in case.reads:
            assert (await world.get(template.format(**ids, owner=OWNER().party_id), who)).status_code == 200
        for path in case.lists:
            listed = (await world.get(path.format(owner=OWNER().party_id), who)).json()["items"]
            assert _mentions_owner(listed), (who.party_id, path)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.family)
async def test_a_revoked_grant_closes_access_on_the_next_read(world: PaymentsApi, case: Case) -> None:
    ids = await case.make(world)
    assert (await world.delete(f"/v1/payments/grants/{GRANTED().party_id}", OWNER())).status_code == 204
    for template in case.reads:
        assert (await world.get(template.format(**ids, owner=OWNER().party_id), GRANTED())).status_code == 404
    for path in case.lists:
        assert not _mentions_owner(
            (await world.get(path.format(owner=OWNER().party_id), GRANTED())).json()["items"]
        )


async def test_an_institution_cannot_release_or_void_another_institutions_report(world: PaymentsApi) -> None:
    ids = await _transaction(world)
    for who in (UNGRANTED(), OUTSIDER()):
        for action, body in (("release", None), ("void", {"reason": "x"})):
            answer = await world.post(
                f"/v1/payments/transactions/{ids['transaction_id']}/{action}", who, json=body
            )
            assert answer.status_code == 404, (who.party_id, action)


async def test_an_enterprise_cannot_revoke_or_see_another_enterprises_grants(world: PaymentsApi) -> None:
    assert (
        await world.delete(f"/v1/payments/grants/{GRANTED().party_id}", enterprise("ent-nobody"))
    ).status_code == 404
    listed = (await world.get("/v1/payments/grants", STRANGER())).json()["items"]
    assert all(g["enterprise_party_id"] == STRANGER().party_id for g in listed)


async def test_nobody_else_can_reconcile_or_register_items_for_the_owner(world: PaymentsApi) -> None:
    for who in (STRANGER(), UNGRANTED(), OUTSIDER()):
        run = await world.post(
            "/v1/payments/reconciliation/runs", who, json={"enterprise_party_id": OWNER().party_id}
        )
        assert run.status_code == 404, who.party_id
        items = {
            "enterprise_party_id": OWNER().party_id,
            "items": [
                {
                    "id": "X",
                    "direction": "receipt",
                    "amount": "1",
                    "currency": "USD",
                    "expected_date": "2026-11-01",
                }
            ],
        }
        assert (await world.post("/v1/payments/expected-items", who, json=items)).status_code == 404
