"""Receipts matched to exported goods, and the signed evidence package institutions fetch."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import jwt
import pytest

from services.payments.evidence import signing
from tests.payments.support import (
    UTC,
    PaymentsApi,
    enterprise,
    export_goods,
    onboard,
    pay_institution,
    receipt,
    status_event,
)


def _pi():  # type: ignore[no-untyped-def]
    return pay_institution()


def _ent():  # type: ignore[no-untyped-def]
    return enterprise("ent-1")


@pytest.fixture
async def exported(payments: PaymentsApi) -> PaymentsApi:
    await onboard(payments, _pi(), [_ent()])
    for order_no, value in (("SO-1", "600.00"), ("SO-2", "400.00"), ("SO-3", "250.00")):
        await payments.feed(export_goods(_ent(), order_no, value, lines=[("Crystal bracelet", "4", value)]))
    await payments.feed(export_goods(_ent(), "SO-X", "90.00", status="matched"))  # not released yet
    return payments


async def _report(
    api: PaymentsApi, reference: str, amount: str, orders: list[str], **kw: object
) -> dict[str, object]:
    body = receipt(reference, _ent().party_id, amount, orders=[{"order_no": o} for o in orders], **kw)  # type: ignore[arg-type]
    answer = await api.post("/v1/payments/transactions", _pi(), json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def test_one_payout_settles_many_orders_net_of_the_platform_fee(exported: PaymentsApi) -> None:
    txn = await _report(
        exported, "P1", "950.00", ["SO-1", "SO-2"], deductions=[{"kind": "platform_fee", "amount": "50.00"}]
    )
    assert [(a["order_no"], a["amount"]) for a in txn["allocations"]] == [
        ("SO-1", "600.00"),
        ("SO-2", "400.00"),
    ]  # type: ignore[index]
    assert (txn["allocated"], txn["netted"], txn["remainder"]) == ("1000.00", "50.00", "0.00")


async def test_a_partial_payment_leaves_the_rest_of_the_order_outstanding(exported: PaymentsApi) -> None:
    await _report(exported, "P1", "100.00", ["SO-3"])
    second = await _report(exported, "P2", "200.00", ["SO-3"])
    assert second["allocated"] == "150.00" and second["remainder"] == "50.00"


async def test_goods_not_yet_released_are_not_matched_and_the_money_stays_visible(
    exported: PaymentsApi,
) -> None:
    txn = await _report(exported, "P1", "90.00", ["SO-X", "SO-404"])
    assert txn["allocations"] == [] and txn["remainder"] == "90.00"
    assert {u["order_no"] for u in txn["unmatched_orders"]} == {"SO-X", "SO-404"}  # type: ignore[attr-defined]


async def test_the_evidence_package_is_signed_and_verifies_with_the_published_key(
    exported: PaymentsApi,
) -> None:
    txn = await _report(exported, "P1", "1000.00", ["SO-1", "SO-2"])
    answer = await exported.get(f"/v1/payments/transactions/{txn['id']}/evidence", _pi())
    assert answer.status_code == 200, answer.text
    evidence = answer.json()
    keys = (await exported.client.get("/v1/payments/evidence/keys")).json()["keys"]
    public = jwt.PyJWK(keys[0]).key
    header = jwt.get_unverified_header(evidence["jws"])
    assert (header["alg"], header["kid"], header["typ"]) == ("EdDSA", keys[0]["kid"], "ddt-evidence+jws")
    assert signing.verify(evidence["jws"], public) == evidence["package"]
    assert evidence["sha256"] == signing.digest(evidence["package"])


async def test_the_package_lists_goods_quantities_amounts_times_and_logistics_numbers(
    exported: PaymentsApi,
) -> None:
    txn = await _report(exported, "P1", "600.00", ["SO-1"])
    package = (await exported.get(f"/v1/payments/transactions/{txn['id']}/evidence", _ent())).json()[
        "package"
    ]
    (inventory,) = package["inventories"]
    assert (inventory["order_no"], inventory["logistics_no"], inventory["invt_no"]) == (
        "SO-1",
        "WBSO-1",
        "INVTSO-1",
    )
    assert inventory["goods"][0] | {"unit_price": None} == {
        "gnum": 1,
        "item_no": None,
        "name": "Crystal bracelet",
        "hs_code": "6109100021",
        "quantity": "4.00",
        "unit": "011",
        "unit_price": None,
        "amount": "600.00",
        "currency": "USD",
        "origin_country": "142",
    }
    assert inventory["customs_receipts"][0]["customs_status"] == "800" and inventory["released_at"]
    assert [o["order_no"] for o in package["orders"]] == ["SO-1"] and package["orders"][0]["goods"]
    assert package["transaction"]["counterparty"] == {"name": "A***", "country": "LU"}
    assert package["enterprise"]["uscc"]


async def test_an_unchanged_package_is_not_signed_again_a_clearance_makes_a_new_version(
    exported: PaymentsApi,
) -> None:
    txn = await _report(exported, "P1", "600.00", ["SO-1"])
    path = f"/v1/payments/transactions/{txn['id']}/evidence"
    first = (await exported.get(path, _pi())).json()
    assert (await exported.get(path, _pi())).json()["package_id"] == first["package_id"]
    events = export_goods(_ent(), "SO-1", "600.00")
    await exported.feed([status_event(events, "closed", dt.datetime(2026, 11, 9, tzinfo=UTC), "899")])
    second = (await exported.get(path, _pi())).json()
    assert second["version"] == 2 and second["package"]["inventories"][0]["closed_at"]
    versions = (await exported.get(f"{path}/versions", _ent())).json()
    assert [v["version"] for v in versions] == [1, 2]
    kept = (await exported.get(f"{path}/{first['package_id']}", _pi())).json()
    assert kept["jws"] == first["jws"]


async def test_a_cancelled_export_is_no_longer_owed(exported: PaymentsApi) -> None:
    events = export_goods(_ent(), "SO-2", "400.00")
    await exported.feed([status_event(events, "cancelled", dt.datetime(2026, 11, 8, tzinfo=UTC))])
    txn = await _report(exported, "P1", "400.00", ["SO-2"])
    assert txn["allocations"] == [] and Decimal(str(txn["remainder"])) == Decimal("400")


async def test_a_forged_package_fails_verification(exported: PaymentsApi) -> None:
    txn = await _report(exported, "P1", "600.00", ["SO-1"])
    evidence = (await exported.get(f"/v1/payments/transactions/{txn['id']}/evidence", _pi())).json()
    head, payload, signature = evidence["jws"].split(".")
    forged = f"{head}.{payload[:-4]}AAAA.{signature}"
    keys = (await exported.client.get("/v1/payments/evidence/keys")).json()["keys"]
    with pytest.raises(jwt.InvalidTokenError):
        signing.verify(forged, jwt.PyJWK(keys[0]).key)
