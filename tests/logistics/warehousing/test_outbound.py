"""Outbound through the API: reservation, pick/pack/ship, holds, cancellation, out of stock."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from tests.logistics.warehousing.conftest import (
    MERCHANT,
    OPERATOR,
    OTHER_MERCHANT,
    OTHER_OPERATOR,
    LogisticsApi,
)
from tests.logistics.warehousing.support import a_product, a_warehouse, order_body, put_away

OUTBOUND = "/v1/logistics/outbound"


async def _stocked(api: LogisticsApi, units: int = 10) -> tuple[str, str]:
    warehouse = await a_warehouse(api)
    product = await a_product(api)
    await put_away(api, warehouse["id"], product["id"], units, lot_no="OLD", received_on="2026-01-05")
    return warehouse["id"], product["id"]


async def _stock(api: LogisticsApi, product: str) -> dict[str, int]:
    return (await api.ok("GET", f"/v1/logistics/stock/products/{product}", MERCHANT))["total"]  # type: ignore[no-any-return]


async def test_an_order_reserves_and_ships_through_pick_and_pack(api: LogisticsApi) -> None:
    warehouse, product = await _stocked(api)
    await put_away(api, warehouse, product, 5, lot_no="NEW", received_on="2026-03-01")
    order = await api.ok("POST", OUTBOUND, MERCHANT, 201, json=order_body(warehouse, quantity=12))
    assert order["status"] == "reserved" and order["lines"][0]["reserved"] == 12
    assert await _stock(api, product) == {"on_hand": 15, "available": 3, "committed": 12, "unavailable": 0}
    path = f"{OUTBOUND}/{order['id']}"
    picked = await api.ok("POST", f"{path}/pick", OPERATOR)
    assert sorted(p["quantity"] for p in picked["lines"][0]["picks"]) == [2, 10]
    lots = (await api.ok("GET", f"/v1/logistics/stock/products/{product}", OPERATOR))["warehouses"][0]["lots"]
    assert {lot["lot_no"]: lot["committed"] for lot in lots} == {"OLD": 10, "NEW": 2}  # the oldest lot first
    await api.ok("POST", f"{path}/pack", OPERATOR, json={"packages": 1, "weight_g": 800})
    shipped = await api.ok(
        "POST",
        f"{path}/ship",
        OPERATOR,
        json={"carrier_code": "DHL-DE", "tracking_number": "JD0146000012345"},
    )
    assert shipped["status"] == "shipped" and shipped["tracking_number"] == "JD0146000012345"
    assert await _stock(api, product) == {"on_hand": 3, "available": 3, "committed": 0, "unavailable": 0}
    again = await api.post(
        f"{path}/ship", OPERATOR, json={"carrier_code": "DHL-DE", "tracking_number": "JD0146000012345"}
    )
    assert again.status_code == 200
    other = await api.post(
        f"{path}/ship", OPERATOR, json={"carrier_code": "DHL-DE", "tracking_number": "JD0146000099999"}
    )
    assert other.status_code == 409
    statuses = [e.data["status"] for e in await api.staged("ddt.logistics.outbound.changed")]
    assert statuses == ["reserved", "picked", "packed", "shipped"]


async def test_the_buyers_address_is_sealed_and_never_in_an_event(api: LogisticsApi) -> None:
    warehouse, _product = await _stocked(api)
    order = await api.ok("POST", OUTBOUND, MERCHANT, 201, json=order_body(warehouse))
    assert (
        order["ship_to"]["name"] == "Anna Schmidt" and order["ship_to_masked"] == "A*** S***, F***, 60*** DE"
    )
    assert (await api.ok("GET", f"{OUTBOUND}/{order['id']}", OPERATOR))["ship_to"]["postal_code"] == "60311"
    async with api.db.transaction() as session:
        rows = (await session.execute(text("SELECT * FROM logistics_outbound_orders"))).all()
    assert "Schmidt" not in repr(rows) and "Kaiserstra" not in repr(rows)
    assert all("Schmidt" not in e.model_dump_json() for e in await api.staged())


async def test_an_order_without_the_units_waits_out_of_stock_and_is_served_when_they_come(
    api: LogisticsApi,
) -> None:
    warehouse, product = await _stocked(api, 2)
    order = await api.ok("POST", OUTBOUND, MERCHANT, 201, json=order_body(warehouse, quantity=3))
    assert (order["status"], order["exception"]) == ("exception", "out_of_stock")
    assert await _stock(api, product) == {"on_hand": 2, "available": 2, "committed": 0, "unavailable": 0}
    refused = await api.post(f"{OUTBOUND}/{order['id']}/pick", OPERATOR)
    assert refused.status_code == 409 and refused.json()["status_now"] == "exception"
    # units come in through an ASN's putaway: the waiting order is served
    from tests.logistics.warehousing.support import asn_body

    asn = await api.ok(
        "POST", "/v1/logistics/inbound", MERCHANT, 201, json=asn_body(warehouse, declarations=[])
    )
    lines = [{"box_no": "BOX-1", "sku": "CRY-BR-001", "received": 5}]
    await api.ok(
        "POST",
        f"/v1/logistics/inbound/{asn['id']}/receipts",
        OPERATOR,
        json={"receipt_key": "R", "received_on": "2026-03-02", "final": True, "lines": lines},
    )
    await api.ok(
        "POST",
        f"/v1/logistics/inbound/{asn['id']}/putaways",
        OPERATOR,
        json={"putaway_key": "P", "lines": [{"sku": "CRY-BR-001", "quantity": 5}]},
    )
    served = await api.ok("GET", f"{OUTBOUND}/{order['id']}", MERCHANT)
    assert (served["status"], served["exception"]) == ("reserved", None)


async def test_an_order_reserves_all_its_lines_or_none(api: LogisticsApi) -> None:
    warehouse, product = await _stocked(api, 5)
    second = await a_product(api, sku="CRY-NK-002")
    await put_away(api, warehouse, second["id"], 1, lot_no="N")
    body = order_body(
        warehouse, lines=[{"sku": "CRY-BR-001", "quantity": 4}, {"sku": "CRY-NK-002", "quantity": 2}]
    )
    order = await api.ok("POST", OUTBOUND, MERCHANT, 201, json=body)
    assert order["status"] == "exception"
    assert (await _stock(api, product))["committed"] == 0  # the first line's reservation was undone


async def test_a_hold_pauses_an_order_and_keeps_its_units(api: LogisticsApi) -> None:
    warehouse, product = await _stocked(api)
    order = await api.ok("POST", OUTBOUND, MERCHANT, 201, json=order_body(warehouse, hold=True))
    assert (order["status"], order["hold_reason"]) == ("on_hold", "merchant_hold")
    assert (await _stock(api, product))["committed"] == 1
    path = f"{OUTBOUND}/{order['id']}"
    assert (await api.post(f"{path}/pick", OPERATOR)).status_code == 409
    assert (await api.ok("POST", f"{path}/release", MERCHANT))["status"] == "reserved"


async def test_an_address_without_its_postal_code_is_held(api: LogisticsApi) -> None:
    warehouse, _product = await _stocked(api)
    body = order_body(warehouse)
    body["ship_to"]["postal_code"] = None
    order = await api.ok("POST", OUTBOUND, MERCHANT, 201, json=body)
    assert (order["status"], order["hold_reason"]) == ("on_hold", "address_problem")


async def test_cancelling_a_picked_order_gives_its_units_back(api: LogisticsApi) -> None:
    warehouse, product = await _stocked(api, 3)
    order = await api.ok("POST", OUTBOUND, MERCHANT, 201, json=order_body(warehouse, quantity=3))
    waiting = await api.ok(
        "POST", OUTBOUND, MERCHANT, 201, json=order_body(warehouse, reference="SO-2", quantity=2)
    )
    assert waiting["status"] == "exception"
    await api.ok("POST", f"{OUTBOUND}/{order['id']}/pick", OPERATOR)
    assert (await api.post(f"{OUTBOUND}/{order['id']}/cancel", OPERATOR)).status_code == 403
    cancelled = await api.ok("POST", f"{OUTBOUND}/{order['id']}/cancel", MERCHANT)
    assert cancelled["status"] == "cancelled"
    assert (await api.ok("GET", f"{OUTBOUND}/{waiting['id']}", MERCHANT))["status"] == "reserved"
    assert await _stock(api, product) == {"on_hand": 3, "available": 1, "committed": 2, "unavailable": 0}
    shipped_later = await api.post(
        f"{OUTBOUND}/{order['id']}/ship", OPERATOR, json={"carrier_code": "X", "tracking_number": "ABCD1234"}
    )
    assert shipped_later.status_code == 409


async def test_orders_are_the_owners_and_the_warehouses_only(api: LogisticsApi) -> None:
    warehouse, _product = await _stocked(api)
    order = await api.ok("POST", OUTBOUND, MERCHANT, 201, json=order_body(warehouse))
    assert (await api.get(f"{OUTBOUND}/{order['id']}", OTHER_MERCHANT)).status_code == 404
    assert (await api.get(f"{OUTBOUND}/{order['id']}", OTHER_OPERATOR)).status_code == 404
    assert (await api.post(f"{OUTBOUND}/{order['id']}/pick", OTHER_OPERATOR)).status_code == 404
    same = await api.call("POST", OUTBOUND, MERCHANT, json=order_body(warehouse))
    assert same.status_code == 200 and same.json()["id"] == order["id"]


async def test_a_b2b_transfer_names_its_facility(api: LogisticsApi) -> None:
    warehouse, _product = await _stocked(api)
    body = order_body(warehouse, kind="b2b", ship_to=None)
    refused = await api.post(OUTBOUND, MERCHANT, json=body)
    assert refused.status_code == 422
    body.update(destination_country="DE", destination_facility="FBA:FRA7")
    order = await api.ok("POST", OUTBOUND, MERCHANT, 201, json=body)
    assert (order["kind"], order["destination_facility"], order["ship_to"]) == ("b2b", "FBA:FRA7", None)


@pytest.mark.postgres
async def test_200_concurrent_reservations_of_one_sku_never_oversell(pg_api: LogisticsApi) -> None:
    api = pg_api
    warehouse, product = await _stocked(api, 150)

    async def one(i: int) -> int:
        response = await api.post(OUTBOUND, MERCHANT, json=order_body(warehouse, reference=f"C-{i}"))
        assert response.status_code == 201, response.text
        return 1 if response.json()["status"] == "reserved" else 0

    reserved = sum(await asyncio.gather(*(one(i) for i in range(200))))
    assert reserved == 150
    assert await _stock(api, product) == {"on_hand": 150, "available": 0, "committed": 150, "unavailable": 0}
    async with api.db.transaction() as session:
        reserves = await session.scalar(
            text("SELECT count(*) FROM logistics_stock_movements WHERE kind = 'reserve'")
        )
    assert reserves == 150
