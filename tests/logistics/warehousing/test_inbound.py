"""Inbound through the API: ASNs linked to 9810 export inventories from the declaration events,
receiving with discrepancies, putaway by lot."""

from __future__ import annotations

from tests.logistics.warehousing.conftest import (
    MERCHANT,
    OPERATOR,
    OTHER_MERCHANT,
    OTHER_OPERATOR,
    LogisticsApi,
)
from tests.logistics.warehousing.support import a_product, a_warehouse, asn_body, feed, released_9810

INBOUND = "/v1/logistics/inbound"


async def _ready(api: LogisticsApi) -> str:
    warehouse = await a_warehouse(api)
    await a_product(api)
    return str(warehouse["id"])


async def test_an_asn_names_the_merchants_released_9810_inventory(api: LogisticsApi) -> None:
    warehouse = await _ready(api)
    await feed(api, released_9810("doc-1", invt_no="INVT9810A"))
    asn = await api.ok("POST", INBOUND, MERCHANT, 201, json=asn_body(warehouse))
    assert asn["status"] == "awaiting"
    assert asn["declarations"] == [
        {"number": "INVT9810A", "document_id": "doc-1", "link_status": "verified", "detail": None}
    ]
    assert [b["box_no"] for b in asn["boxes"]] == ["BOX-1", "BOX-2"]
    [event] = await api.staged("ddt.logistics.inbound.changed")
    assert event.data["party_id"] == MERCHANT.party_id and event.data["units"]["expected"] == 100


async def test_an_inventory_seen_later_verifies_the_asn(api: LogisticsApi) -> None:
    warehouse = await _ready(api)
    asn = await api.ok("POST", INBOUND, MERCHANT, 201, json=asn_body(warehouse))
    assert asn["declarations"][0]["link_status"] == "unknown"
    await feed(api, released_9810("doc-1", invt_no="INVT9810A"))
    again = await api.ok("GET", f"{INBOUND}/{asn['id']}", MERCHANT)
    assert again["declarations"][0]["link_status"] == "verified"


async def test_another_enterprises_or_a_non_9810_inventory_is_refused_by_name(api: LogisticsApi) -> None:
    warehouse = await _ready(api)
    await feed(
        api,
        released_9810("doc-x", OTHER_MERCHANT.party_id, invt_no="INVTOTHER"),
        released_9810("doc-y", invt_no="INVT9610", mode="9610"),
    )
    response = await api.post(
        INBOUND, MERCHANT, json=asn_body(warehouse, declarations=["INVTOTHER", "INVT9610"])
    )
    assert response.status_code == 422 and response.json()["code"] == "logistics.declaration_refused"
    assert [e["pointer"] for e in response.json()["errors"]] == [
        "/body/declarations/0",
        "/body/declarations/1",
    ]
    assert "not a 9810 export" in response.json()["errors"][1]["detail"]


async def test_the_same_reference_is_one_asn(api: LogisticsApi) -> None:
    warehouse = await _ready(api)
    first = await api.ok("POST", INBOUND, MERCHANT, 201, json=asn_body(warehouse))
    again = await api.ok("POST", INBOUND, MERCHANT, 201, json=asn_body(warehouse))
    assert again["id"] == first["id"]
    changed = await api.post(INBOUND, MERCHANT, json=asn_body(warehouse, expected_on="2026-04-01"))
    assert changed.status_code == 409 and changed.json()["asn_id"] == first["id"]


async def test_receiving_records_short_over_and_damaged(api: LogisticsApi) -> None:
    warehouse = await _ready(api)
    asn = await api.ok("POST", INBOUND, MERCHANT, 201, json=asn_body(warehouse))
    path = f"{INBOUND}/{asn['id']}"
    receipt = {
        "receipt_key": "R1",
        "received_on": "2026-03-19",
        "final": True,
        "lines": [
            {"box_no": "BOX-1", "sku": "CRY-BR-001", "received": 55, "damaged": 2},  # 3 short
            {"box_no": "BOX-2", "sku": "CRY-BR-001", "received": 40},
        ],
    }
    counted = await api.ok("POST", f"{path}/receipts", OPERATOR, json=receipt)
    [d] = counted["discrepancies"]
    assert (d["expected"], d["received"], d["damaged"], d["short"], d["over"]) == (100, 95, 2, 3, 0)
    assert d["kinds"] == ["short", "damaged"] and counted["status"] == "received"
    assert (
        await api.post(f"{path}/receipts", OPERATOR, json=receipt)
    ).status_code == 200  # the same count again
    other = await api.post(f"{path}/receipts", OPERATOR, json={**receipt, "lines": receipt["lines"][:1]})
    assert other.status_code == 409
    assert (await api.post(f"{path}/receipts", OTHER_OPERATOR, json=receipt)).status_code == 404


async def test_putaway_makes_lots_that_keep_the_receipt_day(api: LogisticsApi) -> None:
    warehouse = await _ready(api)
    asn = await api.ok("POST", INBOUND, MERCHANT, 201, json=asn_body(warehouse))
    path = f"{INBOUND}/{asn['id']}"
    lines = [{"box_no": "BOX-1", "sku": "CRY-BR-001", "received": 58, "damaged": 2}]
    await api.ok(
        "POST",
        f"{path}/receipts",
        OPERATOR,
        json={"receipt_key": "R1", "received_on": "2026-03-19", "lines": lines},
    )
    lines2 = [{"box_no": "BOX-2", "sku": "CRY-BR-001", "received": 42}]  # 2 over
    await api.ok(
        "POST",
        f"{path}/receipts",
        OPERATOR,
        json={"receipt_key": "R2", "received_on": "2026-03-20", "final": True, "lines": lines2},
    )
    too_many = await api.post(
        f"{path}/putaways",
        OPERATOR,
        json={"putaway_key": "P0", "lines": [{"sku": "CRY-BR-001", "quantity": 101}]},
    )
    assert too_many.status_code == 409 and "100 counted and not put away" in too_many.json()["detail"]
    putaway = {
        "putaway_key": "P1",
        "lines": [
            {"sku": "CRY-BR-001", "quantity": 100},
            {"sku": "CRY-BR-001", "quantity": 2, "condition": "damaged"},
        ],
    }
    done = await api.ok("POST", f"{path}/putaways", OPERATOR, json=putaway)
    assert done["status"] == "completed"
    assert await api.ok("POST", f"{path}/putaways", OPERATOR, json=putaway)  # sent twice: applied once
    stock = await api.ok(
        "GET", f"/v1/logistics/stock/products/{asn['boxes'][0]['items'][0]['product_id']}", MERCHANT
    )
    assert stock["total"] == {"on_hand": 102, "available": 100, "committed": 0, "unavailable": 2}
    [lot] = stock["warehouses"][0]["lots"]
    assert lot["lot_no"] == "WRO-1" and lot["received_on"] == "2026-03-19" and lot["origin"] == "inbound"


async def test_only_an_asn_whose_goods_have_not_arrived_is_cancelled(api: LogisticsApi) -> None:
    warehouse = await _ready(api)
    asn = await api.ok("POST", INBOUND, MERCHANT, 201, json=asn_body(warehouse))
    path = f"{INBOUND}/{asn['id']}"
    await api.ok("POST", f"{path}/arrival", OPERATOR, json={})
    refused = await api.post(f"{path}/cancel", MERCHANT)
    assert refused.status_code == 409 and refused.json()["status_now"] == "arrived"
    second = await api.ok("POST", INBOUND, MERCHANT, 201, json=asn_body(warehouse, reference="WRO-2"))
    assert (await api.ok("POST", f"{INBOUND}/{second['id']}/cancel", MERCHANT))["status"] == "cancelled"
    assert (await api.post(f"{INBOUND}/{second['id']}/cancel", OPERATOR)).status_code == 403


async def test_an_asn_to_a_warehouse_is_seen_by_its_operator_and_owner_only(api: LogisticsApi) -> None:
    warehouse = await _ready(api)
    asn = await api.ok("POST", INBOUND, MERCHANT, 201, json=asn_body(warehouse))
    assert [a["id"] for a in (await api.ok("GET", INBOUND, OPERATOR))["items"]] == [asn["id"]]
    assert (await api.ok("GET", INBOUND, OTHER_MERCHANT))["items"] == []
    assert (await api.get(f"{INBOUND}/{asn['id']}", OTHER_MERCHANT)).status_code == 404


async def test_an_unknown_sku_in_a_box_is_named(api: LogisticsApi) -> None:
    warehouse = await _ready(api)
    body = asn_body(warehouse)
    body["boxes"][1]["items"][0]["sku"] = "NOPE"
    response = await api.post(INBOUND, MERCHANT, json=body)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"pointer": "/body/boxes/1/items/0/sku", "detail": "pty_m1 has no active SKU 'NOPE'"}
    ]
