"""The USD 200,000 rule end to end: counters move, alerts name both parties, crossings are held,
SAFE's lists override, a registration releases what was held."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.gateway.webhooks.dispatch import parties_named
from shared.identity import Identity
from tests.payments.support import (
    PaymentsApi,
    enterprise,
    onboard,
    outbox_events,
    pay_institution,
    receipt,
    uscc_of,
)


def _pi() -> Identity:
    return pay_institution()


def _ent() -> Identity:
    return enterprise("ent-1")


@pytest.fixture
async def served(payments: PaymentsApi) -> PaymentsApi:
    await onboard(payments, _pi(), [_ent()])
    return payments


async def _report(api: PaymentsApi, reference: str, amount: str) -> dict[str, object]:
    answer = await api.post(
        "/v1/payments/transactions", _pi(), json=receipt(reference, _ent().party_id, amount)
    )
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def test_the_counter_moves_to_warning_and_the_alert_goes_to_both_parties(served: PaymentsApi) -> None:
    await _report(served, "R1", "150000")
    await _report(served, "R2", "35000")
    (alert,) = await outbox_events(served.db, "ddt.payments.threshold.state_changed", party=_ent().party_id)
    assert (alert.data["previous_state"], alert.data["state"]) == ("below", "warning")
    assert parties_named(alert.data) == {_ent().party_id, _pi().party_id}


async def test_a_receipt_crossing_the_threshold_is_held_before_it_is_applied(served: PaymentsApi) -> None:
    await _report(served, "R1", "190000")
    held = await _report(served, "R2", "15000")
    assert held["status"] == "held" and "register" in str(held["hold_reason"])
    counters = (await served.get("/v1/payments/thresholds", _ent())).json()["items"]
    assert Decimal(counters[0]["receipts_usd"]) == Decimal("190000")
    assert counters[0]["state"] == "registration_required"


async def test_a_registration_is_recorded_once_and_releases_the_held_receipts(served: PaymentsApi) -> None:
    await _report(served, "R1", "190000")
    held = await _report(served, "R2", "15000")
    body = {
        "enterprise_party_id": _ent().party_id,
        "registered_on": "2026-11-20",
        "safe_reference": "SAFE-32-001",
    }
    first = (await served.post("/v1/payments/registrations", _pi(), json=body)).json()
    again = (await served.post("/v1/payments/registrations", _pi(), json=body)).json()
    assert (first["newly_recorded"], first["released"]) == (True, [held["id"]])
    assert (again["newly_recorded"], again["released"]) == (False, [])
    released = (await served.get(f"/v1/payments/transactions/{held['id']}", _ent())).json()
    assert released["status"] == "applied" and released["threshold"]["state"] == "registered"
    assert Decimal(released["threshold"]["receipts_usd"]) == Decimal("205000")


async def test_a_held_receipt_cannot_be_released_before_registration(served: PaymentsApi) -> None:
    await _report(served, "R1", "199999")
    held = await _report(served, "R2", "1")
    answer = await served.post(f"/v1/payments/transactions/{held['id']}/release", _pi())
    assert answer.status_code == 409 and answer.json()["code"] == "payments.still_over_threshold"


async def test_safes_over_list_overrides_a_low_counter(served: PaymentsApi) -> None:
    await _report(served, "R1", "1000")
    csv = f"month,list,uscc,name,amount_usd\n2026-10,over,{uscc_of(_ent())},某跨境电商公司,250000\n"
    answer = await served.post(
        "/v1/payments/safe-lists", _pi(), content=csv, headers={"content-type": "text/csv"}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()[0]["matched"] == [_ent().party_id]
    assert (await _report(served, "R2", "10"))["status"] == "held"


async def test_the_warning_list_warns_and_an_unknown_firm_is_reported_not_lost(served: PaymentsApi) -> None:
    await _report(served, "R1", "1000")
    csv = f"2026-10,warning,{uscc_of(_ent())},甲公司\n2026-10,warning,91320700MA1AAAAA0K,乙公司\n"
    result = (
        await served.post("/v1/payments/safe-lists", _pi(), content=csv, headers={"content-type": "text/csv"})
    ).json()
    assert len(result[0]["unknown_usccs"]) == 1 and result[0]["rows"] == 2
    counters = (await served.get("/v1/payments/thresholds?year=2026", _pi())).json()["items"]
    assert counters[0]["state"] == "warning" and counters[0]["safe_list_month"] == "2026-10"
    assert len((await served.get("/v1/payments/safe-lists", _pi())).json()) == 2


async def test_a_malformed_list_line_refuses_the_whole_file_naming_the_line(served: PaymentsApi) -> None:
    csv = f"2026-10,over,{uscc_of(_ent())},甲公司\n2026-1O,over,{uscc_of(_ent())},甲公司\n"
    answer = await served.post(
        "/v1/payments/safe-lists", _pi(), content=csv, headers={"content-type": "text/csv"}
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["pointer"] == "/body/line/2"
    assert (await served.get("/v1/payments/safe-lists", _pi())).json() == []


async def test_regulators_see_every_counter_and_enterprises_only_theirs(served: PaymentsApi) -> None:
    from tests.payments.support import regulator

    other = enterprise("ent-2")
    await onboard(served, _pi(), [other])
    await _report(served, "R1", "10")
    await served.post("/v1/payments/transactions", _pi(), json=receipt("R2", other.party_id, "20"))
    seen = {
        c["enterprise_party_id"]
        for c in (await served.get("/v1/payments/thresholds?limit=500", regulator())).json()["items"]
    }
    assert {_ent().party_id, other.party_id} <= seen
    mine = (await served.get("/v1/payments/thresholds", other)).json()["items"]
    assert [c["enterprise_party_id"] for c in mine] == [other.party_id]
