"""Settlement of receipts (结汇 and cross-border RMB), and the yearly figures published for statistics."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.payments.support import (
    BANK_PROFILE,
    PaymentsApi,
    bank,
    enterprise,
    export_goods,
    onboard,
    outbox_events,
    receipt,
)


def _bank():  # type: ignore[no-untyped-def]
    return bank("bank-1")


def _ent():  # type: ignore[no-untyped-def]
    return enterprise("ent-1")


@pytest.fixture
async def world(payments: PaymentsApi) -> PaymentsApi:
    await onboard(payments, _bank(), [_ent()])
    await payments.feed(export_goods(_ent(), "SO-1", "1000.00"))
    return payments


async def _receipt(api: PaymentsApi, reference: str, amount: str, currency: str = "USD") -> str:
    body = receipt(reference, _ent().party_id, amount, currency=currency, orders=[{"order_no": "SO-1"}])
    answer = await api.post("/v1/payments/transactions", _bank(), json=body)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def _fx(reference: str, amount: str, rate: str, cny: str) -> dict[str, str]:
    return {
        "reference": reference,
        "kind": "fx",
        "amount": amount,
        "rate": rate,
        "amount_cny": cny,
        "settled_at": "2026-11-12T10:00:00+08:00",
    }


async def test_an_fx_settlement_converts_the_receipt_into_cny(world: PaymentsApi) -> None:
    txn = await _receipt(world, "R1", "1000.00")
    answer = await world.post(
        f"/v1/payments/transactions/{txn}/settlements", _bank(), json=_fx("S1", "600.00", "7.1234", "4274.04")
    )
    assert answer.status_code == 201, answer.text
    balances = {
        c["currency"]: c for c in (await world.get("/v1/payments/balances", _ent())).json()["currencies"]
    }
    assert balances["USD"]["settled_fx"] == "600.00"
    again = await world.post(
        f"/v1/payments/transactions/{txn}/settlements", _bank(), json=_fx("S1", "600.00", "7.1234", "4274.04")
    )
    assert again.status_code == 200 and again.json()["id"] == answer.json()["id"]


async def test_a_cny_amount_that_is_not_amount_times_rate_is_refused(world: PaymentsApi) -> None:
    txn = await _receipt(world, "R1", "1000.00")
    answer = await world.post(
        f"/v1/payments/transactions/{txn}/settlements", _bank(), json=_fx("S1", "600.00", "7.1234", "4300.00")
    )
    assert answer.status_code == 422 and answer.json()["errors"][0]["pointer"] == "/body/amount_cny"


async def test_settlements_never_exceed_the_receipt(world: PaymentsApi) -> None:
    txn = await _receipt(world, "R1", "1000.00")
    await world.post(
        f"/v1/payments/transactions/{txn}/settlements", _bank(), json=_fx("S1", "600.00", "7", "4200.00")
    )
    answer = await world.post(
        f"/v1/payments/transactions/{txn}/settlements", _bank(), json=_fx("S2", "500.00", "7", "3500.00")
    )
    assert answer.status_code == 422 and "400.00" in answer.json()["errors"][0]["detail"]


async def test_cross_border_rmb_is_settled_and_the_years_total_published(world: PaymentsApi) -> None:
    first = await _receipt(world, "R1", "5000.00", currency="CNY")
    second = await _receipt(world, "R2", "2500.50", currency="CNY")
    for n, txn in enumerate((first, second)):
        body = {
            "reference": f"RMB-{n}",
            "kind": "rmb",
            "amount": ["5000.00", "2500.50"][n],
            "settled_at": "2026-11-12T10:00:00+08:00",
        }
        answer = await world.post(f"/v1/payments/transactions/{txn}/settlements", _bank(), json=body)
        assert answer.status_code == 201, answer.text
    years = await outbox_events(world.db, "ddt.payments.rmb_settlement.year", party=_ent().party_id)
    assert [(e.data["amount_cny"], e.data["settlements"], e.data["revision"]) for e in years] == [
        ("5000.00", 1, 1),
        ("7500.50", 2, 2),
    ]


async def test_a_bank_without_three_years_of_cross_border_rmb_cannot_settle_rmb(
    payments: PaymentsApi,
) -> None:
    young = bank("bank-young")
    await payments.register(young, _ent())
    await payments.put(
        "/v1/payments/institution", young, json={**BANK_PROFILE, "cross_border_rmb_since": "2025-06-01"}
    )
    await payments.post(
        "/v1/payments/institution/clients",
        young,
        json={"enterprise_party_id": _ent().party_id, "since": "2025-01-01"},
    )
    made = await payments.post(
        "/v1/payments/transactions", young, json=receipt("R1", _ent().party_id, "100", currency="CNY")
    )
    body = {"reference": "X", "kind": "rmb", "amount": "100", "settled_at": "2026-11-12T10:00:00+08:00"}
    answer = await payments.post(
        f"/v1/payments/transactions/{made.json()['id']}/settlements", young, json=body
    )
    assert answer.status_code == 422 and "PBOC 139" in answer.json()["errors"][0]["detail"]


async def test_a_held_receipt_cannot_be_settled(world: PaymentsApi) -> None:
    await _receipt(world, "R1", "199999.00")
    held = await _receipt(world, "R2", "10.00")
    answer = await world.post(
        f"/v1/payments/transactions/{held}/settlements", _bank(), json=_fx("S1", "10.00", "7", "70.00")
    )
    assert answer.status_code == 409


async def test_the_institutions_online_volume_and_the_enterprises_month_are_published(
    world: PaymentsApi,
) -> None:
    await _receipt(world, "R1", "1000.00")
    (volume,) = (
        await outbox_events(world.db, "ddt.payments.institution_volume.year", party=_bank().party_id)
    )[-1:]
    assert (Decimal(volume.data["volume_cny"]), volume.data["transactions"]) == (Decimal("7100.00"), 1)
    months = await outbox_events(world.db, "ddt.payments.funds.month", party=_ent().party_id)
    assert (months[-1].data["receipts_cny"], months[-1].data["matched_receipts_cny"]) == (
        "7100.00",
        "7100.00",
    )
