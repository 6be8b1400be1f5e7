"""Institutions report receipts and payments: stored once, replayed, refused precisely, counted."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest

from tests.payments.support import (
    PaymentsApi,
    bank,
    enterprise,
    onboard,
    outbox_events,
    outbox_text,
    pay_institution,
    pid,
    receipt,
)


@pytest.fixture
async def served(payments: PaymentsApi) -> PaymentsApi:
    await onboard(payments, pay_institution(), [enterprise("ent-1"), enterprise("ent-2")])
    return payments


async def test_a_reported_receipt_is_applied_and_counted_in_usd(served: PaymentsApi) -> None:
    answer = await served.post(
        "/v1/payments/transactions", pay_institution(), json=receipt("R1", pid("ent-1"), "1000.00")
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert (body["status"], body["amount_usd"], body["remainder"]) == ("applied", "1000.00", "1000.00")
    assert body["threshold"] == {
        "year": 2026,
        "state": "below",
        "receipts_usd": "1000.00",
        "payments_usd": "0.00",
    }


async def test_the_same_report_twice_is_stored_once(served: PaymentsApi) -> None:
    first = await served.post(
        "/v1/payments/transactions", pay_institution(), json=receipt("R1", pid("ent-1"), "10.00")
    )
    again = await served.post(
        "/v1/payments/transactions", pay_institution(), json=receipt("R1", pid("ent-1"), "10.00")
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    listed = (await served.get("/v1/payments/transactions", enterprise("ent-1"))).json()["items"]
    assert len(listed) == 1
    assert len(await outbox_events(served.db, "ddt.payments.transaction.reported", party=pid("ent-1"))) == 1


async def test_a_reference_reused_with_other_content_is_a_conflict(served: PaymentsApi) -> None:
    await served.post(
        "/v1/payments/transactions", pay_institution(), json=receipt("R1", pid("ent-1"), "10.00")
    )
    answer = await served.post(
        "/v1/payments/transactions", pay_institution(), json=receipt("R1", pid("ent-1"), "11.00")
    )
    assert answer.status_code == 409
    assert answer.json()["errors"][0]["pointer"] == "/body/reference"


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"amount": "-5"}, "/body/amount"),
        ({"amount": "10.001"}, "/body/amount"),
        ({"currency": "usd"}, "/body/currency"),
        ({"currency": "XAU"}, "/body/currency"),
        ({"value_date": "2026-13-01"}, "/body/value_date"),
        ({"direction": "sideways"}, "/body/direction"),
        ({"deductions": [{"kind": "bribe", "amount": "1"}]}, "/body/deductions/0/kind"),
    ],
)
async def test_bad_reports_are_refused_at_the_field(
    served: PaymentsApi, change: dict[str, object], pointer: str
) -> None:
    answer = await served.post(
        "/v1/payments/transactions", pay_institution(), json={**receipt("R1", pid("ent-1"), "10"), **change}
    )
    assert answer.status_code == 422, answer.text
    assert pointer in [e["pointer"] for e in answer.json()["errors"]]


async def test_a_report_for_an_enterprise_the_institution_does_not_serve_is_refused(
    served: PaymentsApi,
) -> None:
    other = bank("bank-9")
    await onboard(served, other, [])
    answer = await served.post("/v1/payments/transactions", other, json=receipt("R1", pid("ent-1"), "10"))
    assert answer.status_code == 422
    assert answer.json()["code"] == "payments.not_served"


async def test_rmb_receipts_are_not_foreign_exchange_and_do_not_count(served: PaymentsApi) -> None:
    answer = await served.post(
        "/v1/payments/transactions",
        pay_institution(),
        json=receipt("R1", pid("ent-1"), "900000", currency="CNY"),
    )
    assert answer.json()["status"] == "applied" and answer.json()["threshold"] is None


async def test_the_remitter_is_sealed_and_never_in_events_or_logs(
    served: PaymentsApi, caplog: pytest.LogCaptureFixture
) -> None:
    body = receipt("R1", pid("ent-1"), "10")
    body["counterparty"] = {"name": "Zhang Secretname", "account": "DE89370400440532013000", "country": "DE"}
    with caplog.at_level(logging.DEBUG):
        answer = await served.post("/v1/payments/transactions", pay_institution(), json=body)
    assert answer.json()["counterparty"] == {"name": "Z***", "country": "DE"}
    published = await outbox_text(served.db)
    logged = "\n".join(r.getMessage() + str(r.__dict__) for r in caplog.records)
    for secret in ("Secretname", "DE89370400440532013000", "0532013000"):
        assert secret not in published and secret not in logged and secret not in answer.text


async def test_voiding_takes_the_receipt_out_of_the_counter(served: PaymentsApi) -> None:
    made = (
        await served.post(
            "/v1/payments/transactions", pay_institution(), json=receipt("R1", pid("ent-1"), "500")
        )
    ).json()
    voided = await served.post(
        f"/v1/payments/transactions/{made['id']}/void", pay_institution(), json={"reason": "sent twice"}
    )
    assert voided.json()["status"] == "voided"
    assert Decimal(voided.json()["threshold"]["receipts_usd"]) == 0
    again = await served.post(
        f"/v1/payments/transactions/{made['id']}/void", pay_institution(), json={"reason": "x"}
    )
    assert again.status_code == 409
