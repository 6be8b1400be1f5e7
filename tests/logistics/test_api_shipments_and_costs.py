"""Shipments made through the API with several legs, and their logistics costs (Decimal with a
currency, converted at the customs monthly rate, corrected and voided without losing history)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from shared.fx import RateTable
from tests.logistics.support import CARRIER, ENTERPRISE, OTHER_CARRIER, LogisticsApi, new_tag


def _shipment(tag: str, **extra: Any) -> dict[str, Any]:
    return {
        "direction": "export",
        "customs_mode": "9810",
        "order_no": f"API{tag}",
        "ebc_code": ENTERPRISE.codes[0].code,
        "legs": [
            {
                "role": "first_mile",
                "mode": "express",
                "carrier_code": CARRIER.codes[0].code,
                "operated_by": "sf",
                "tracking_number": f"SF{tag}",
                "numbers": {"shipper": f"SHIP{tag}"},
            },
            {
                "role": "linehaul",
                "mode": "rail",
                "carrier_code": CARRIER.codes[0].code,
                "tracking_number": f"RW{tag}",
                "origin": {"locode": "CNLYG"},
                "destination": {"name": "Duisburg"},
                "planned_arrival": "2026-05-20T12:00:00+02:00",
            },
        ],
        **extra,
    }


async def test_a_carrier_makes_a_two_leg_shipment_and_every_number_finds_it(api: LogisticsApi) -> None:
    tag = new_tag()
    made = await api.post("/v1/logistics/shipments", CARRIER, json=_shipment(tag))
    assert made.status_code == 201, made.text
    body = made.json()
    assert [leg["role"] for leg in body["legs"]] == ["first_mile", "linehaul"]
    assert body["eta"]["source"] == "planned"
    for number in (f"API{tag}", f"SF{tag}", f"SHIP{tag}", f"RW{tag}"):
        found = await api.get(f"/v1/logistics/shipments/search?number={number}", CARRIER)
        assert [i["shipment_id"] for i in found.json()["items"]] == [body["id"]], number


async def test_a_sf_event_for_the_first_mile_is_taken_as_sfs_operated_leg(api: LogisticsApi) -> None:
    tag = new_tag()
    made = (await api.post("/v1/logistics/shipments", CARRIER, json=_shipment(tag))).json()
    xml = (
        f'<Request><Body><WaybillRoute id="{tag}" mailno="SF{tag}" acceptTime="2026-05-02 09:00:00" '
        'opCode="80"/></Body></Request>'
    )
    await api.push("sf", xml, CARRIER, "application/xml")
    shipment = (await api.get(f"/v1/logistics/shipments/{made['id']}", CARRIER)).json()
    assert [leg["status"] for leg in shipment["legs"]] == ["delivered", "pending"]
    assert (shipment["status"], shipment["sub_status"]) == ("in_transit", "handed_over")


async def test_a_shipment_naming_none_of_the_callers_codes_is_refused(api: LogisticsApi) -> None:
    body = _shipment(new_tag(), ebc_code=None)
    for leg in body["legs"]:
        leg["carrier_code"] = OTHER_CARRIER.codes[0].code
    answer = await api.post("/v1/logistics/shipments", ENTERPRISE, json=body)
    assert answer.status_code == 403 and answer.json()["code"] == "auth.forbidden"


async def test_a_leg_with_an_unknown_carrier_names_the_field(api: LogisticsApi) -> None:
    body = _shipment(new_tag())
    body["legs"][1]["carrier_code"] = "9999999999"
    answer = await api.post("/v1/logistics/shipments", CARRIER, json=body)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["pointer"] == "/body/legs/1/carrier_code"


async def test_a_time_without_a_zone_in_a_plan_is_refused(api: LogisticsApi) -> None:
    body = _shipment(new_tag())
    body["legs"][1]["planned_arrival"] = "2026-05-20T12:00:00"
    answer = await api.post("/v1/logistics/shipments", CARRIER, json=body)
    assert answer.status_code == 422 and "planned_arrival" in answer.json()["errors"][0]["pointer"]


async def test_a_second_shipment_for_the_same_customs_waybill_is_a_conflict(api: LogisticsApi) -> None:
    tag = new_tag()
    body = _shipment(tag, logistics_code=CARRIER.codes[0].code, logistics_no=f"WB{tag}")
    assert (await api.post("/v1/logistics/shipments", CARRIER, json=body)).status_code == 201
    again = await api.post("/v1/logistics/shipments", CARRIER, json=body)
    assert again.status_code == 409 and again.json()["shipment_id"]


async def test_a_cost_in_dollars_is_converted_at_the_customs_rate_of_its_month(api: LogisticsApi) -> None:
    tag = new_tag()
    made = (await api.post("/v1/logistics/shipments", CARRIER, json=_shipment(tag))).json()
    answer = await api.post(
        f"/v1/logistics/shipments/{made['id']}/costs",
        CARRIER,
        json={"amount": "1250.55", "currency": "USD", "incurred_on": "2026-05-02"},
    )
    assert answer.status_code == 201, answer.text
    rate, _month = RateTable.default().rate("502", dt.date(2026, 5, 2))
    cost = answer.json()
    assert (Decimal(cost["amount"]), cost["currency"], Decimal(cost["amount_cny"])) == (
        Decimal("1250.55"),
        "USD",
        (Decimal("1250.55") * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
    )
    (published,) = [e.data for e in await api.published("ddt.logistics.cost.recorded", made["id"])]
    assert (published["amount"], published["enterprise_party_id"], published["ebc_code"]) == (
        "1250.55",
        None,
        ENTERPRISE.codes[0].code,
    )


async def test_a_correction_supersedes_and_a_void_drops_the_amount(api: LogisticsApi) -> None:
    made = (await api.post("/v1/logistics/shipments", CARRIER, json=_shipment(new_tag()))).json()
    path = f"/v1/logistics/shipments/{made['id']}/costs"
    first = (
        await api.post(
            path, CARRIER, json={"amount": "100.00", "currency": "CNY", "incurred_on": "2026-05-02"}
        )
    ).json()
    fixed = await api.post(
        path,
        CARRIER,
        json={"amount": "120.00", "currency": "142", "incurred_on": "2026-05-02", "supersedes": first["id"]},
    )
    assert fixed.status_code == 201, fixed.text
    twice = await api.post(
        path,
        CARRIER,
        json={"amount": "130.00", "currency": "CNY", "incurred_on": "2026-05-02", "supersedes": first["id"]},
    )
    assert twice.status_code == 409
    voided = await api.post(f"{path}/{fixed.json()['id']}/void", CARRIER, json={"note": "billed twice"})
    assert voided.status_code == 201 and voided.json()["voided"] is True
    listed = (await api.get(path, CARRIER)).json()
    assert [(c["amount"], c["superseded"], c["voided"]) for c in listed] == [
        ("100.00000", True, False),
        ("120.00000", True, False),
        ("0.00000", False, True),
    ]


async def test_a_float_amount_or_an_unknown_currency_is_refused_with_its_pointer(api: LogisticsApi) -> None:
    made = (await api.post("/v1/logistics/shipments", CARRIER, json=_shipment(new_tag()))).json()
    path = f"/v1/logistics/shipments/{made['id']}/costs"
    bad_amount = await api.post(
        path, CARRIER, json={"amount": "1.234", "currency": "USD", "incurred_on": "2026-05-02"}
    )
    bad_currency = await api.post(
        path, CARRIER, json={"amount": "1.00", "currency": "XYZ", "incurred_on": "2026-05-02"}
    )
    assert bad_amount.json()["errors"][0]["pointer"] == "/body/amount"
    assert bad_currency.json()["errors"][0]["pointer"] == "/body/currency"
