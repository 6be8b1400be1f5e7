"""Institutions carry licence data; they record whom they serve; enterprises grant and revoke access."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services.payments.institutions.models import ClientAccount
from tests.payments.support import (
    BANK_PROFILE,
    PI_PROFILE,
    PaymentsApi,
    bank,
    enterprise,
    onboard,
    pay_institution,
    status_changed,
)


async def test_a_payment_institution_registers_its_pboc_licence(payments: PaymentsApi) -> None:
    pi = pay_institution()
    answer = await payments.put("/v1/payments/institution", pi, json=PI_PROFILE)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["kind"], body["pboc_licence_no"], body["licensed"]) == (
        "payment_institution",
        "Z2004944000010",
        True,
    )


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"pboc_licence_no": "12345"}, "/body/pboc_licence_no"),
        ({"pboc_licence_no": None}, "/body/pboc_licence_no"),
        ({"licence_scopes": ["prepaid_card"]}, "/body/licence_scopes"),
        ({"licence_valid_until": "2020-01-01"}, "/body/licence_valid_until"),
    ],
)
async def test_a_payment_institution_without_a_valid_licence_is_refused_at_the_field(
    payments: PaymentsApi, change: dict[str, object], pointer: str
) -> None:
    answer = await payments.put("/v1/payments/institution", pay_institution(), json={**PI_PROFILE, **change})
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert pointer in [e["pointer"] for e in answer.json()["errors"]]


async def test_a_bank_with_more_than_three_years_of_cross_border_rmb_may_settle_rmb(
    payments: PaymentsApi,
) -> None:
    answer = await payments.put("/v1/payments/institution", bank(), json=BANK_PROFILE)
    assert answer.json()["may_settle_rmb"] is True
    recent = {**BANK_PROFILE, "cross_border_rmb_since": "2026-01-01"}
    answer = await payments.put("/v1/payments/institution", bank("bank-2"), json=recent)
    assert answer.json()["may_settle_rmb"] is False


async def test_an_enterprise_cannot_register_as_an_institution(payments: PaymentsApi) -> None:
    answer = await payments.put("/v1/payments/institution", enterprise(), json=PI_PROFILE)
    assert answer.status_code == 403
    assert answer.json()["code"] == "payments.not_an_institution"


async def test_client_accounts_are_sealed_at_rest_and_shown_masked(payments: PaymentsApi) -> None:
    b, e = bank(), enterprise()
    await onboard(payments, b, [e], accounts={e.party_id: "6217 0000 1234 5678"})
    listed = (await payments.get("/v1/payments/institution/clients", b)).json()["items"]
    assert listed[0]["accounts"] == [{"masked": "****5678", "currency": "USD"}]
    async with payments.db.transaction() as session:
        row = (
            await session.scalars(
                select(ClientAccount).where(ClientAccount.institution_party_id == b.party_id)
            )
        ).one()
    assert b"62170000" not in row.account_sealed and "62170000" not in row.account_hash


async def test_the_same_account_number_cannot_belong_to_two_clients(payments: PaymentsApi) -> None:
    b, e1, e2 = bank(), enterprise("e1"), enterprise("e2")
    await onboard(payments, b, [e1], accounts={e1.party_id: "6217000012345678"})
    await payments.register(e2)
    answer = await payments.post(
        "/v1/payments/institution/clients",
        b,
        json={
            "enterprise_party_id": e2.party_id,
            "since": "2025-01-01",
            "accounts": [{"number": "6217-0000-1234-5678", "currency": "USD"}],
        },
    )
    assert answer.status_code == 409
    assert answer.json()["errors"][0]["pointer"] == "/body/accounts/0/number"


async def test_an_enterprise_cannot_grant_an_institution_that_does_not_serve_it(
    payments: PaymentsApi,
) -> None:
    b, e = bank(), enterprise()
    await payments.register(b, e)
    await payments.put("/v1/payments/institution", b, json=BANK_PROFILE)
    answer = await payments.post("/v1/payments/grants", e, json={"institution_party_id": b.party_id})
    assert answer.status_code == 422
    assert answer.json()["code"] == "payments.not_served"


async def test_grants_and_revocations_are_kept_in_order(payments: PaymentsApi) -> None:
    b, e = bank(), enterprise()
    await onboard(payments, b, [e])
    assert (await payments.delete(f"/v1/payments/grants/{b.party_id}", e)).status_code == 204
    assert (await payments.delete(f"/v1/payments/grants/{b.party_id}", e)).status_code == 404
    await payments.post("/v1/payments/grants", e, json={"institution_party_id": b.party_id})
    history = (await payments.get("/v1/payments/grants/history", e)).json()
    assert [h["action"] for h in history] == ["grant", "revoke", "grant"]


async def test_a_suspended_institution_cannot_be_granted(payments: PaymentsApi) -> None:
    b, e = bank(), enterprise()
    await onboard(payments, b, [e], grant=False)
    await payments.feed([status_changed(b.party_id, "suspended")])
    answer = await payments.post("/v1/payments/grants", e, json={"institution_party_id": b.party_id})
    assert answer.status_code == 422
    assert answer.json()["code"] == "payments.institution_unknown"


async def test_a_client_of_an_unknown_enterprise_is_refused(payments: PaymentsApi) -> None:
    b = bank()
    await payments.register(b)
    await payments.put("/v1/payments/institution", b, json=BANK_PROFILE)
    answer = await payments.post(
        "/v1/payments/institution/clients", b, json={"enterprise_party_id": "nobody", "since": "2025-01-01"}
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["pointer"] == "/body/enterprise_party_id"


async def test_a_request_without_the_gateways_identity_is_refused(payments: PaymentsApi) -> None:
    answer = await payments.client.get("/v1/payments/institutions")
    assert answer.status_code == 401
