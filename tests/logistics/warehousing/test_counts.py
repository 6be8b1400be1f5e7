"""Stock counts applied as adjustments: the ledger shows them, shortages release the newest
reservations, a count sent twice is applied once."""

from __future__ import annotations

from tests.logistics.warehousing.conftest import MERCHANT, OPERATOR, LogisticsApi
from tests.logistics.warehousing.support import a_product, a_warehouse, order_body, put_away

COUNTS = "/v1/logistics/stock/counts"


async def test_a_count_adjusts_the_lot_and_appears_in_the_ledger(api: LogisticsApi) -> None:
    warehouse = await a_warehouse(api)
    product = await a_product(api)
    lot = await put_away(api, warehouse["id"], product["id"], 10)
    count = {
        "count_key": "CC-1",
        "warehouse_id": warehouse["id"],
        "lines": [{"lot_id": lot, "counted": 7, "counted_unavailable": 1}],
    }
    result = await api.ok("POST", COUNTS, OPERATOR, 201, json=count)
    [correction] = result["corrections"]
    assert (correction["on_hand_delta"], correction["unavailable_delta"]) == (-2, 1)
    again = await api.ok("POST", COUNTS, OPERATOR, 201, json=count)
    assert again["replayed"] is True and again["corrections"] == result["corrections"]
    total = (await api.ok("GET", f"/v1/logistics/stock/products/{product['id']}", MERCHANT))["total"]
    assert total == {"on_hand": 8, "available": 7, "committed": 0, "unavailable": 1}
    ledger = await api.ok(
        "GET", f"/v1/logistics/stock/movements?kind=adjust&warehouse_id={warehouse['id']}", OPERATOR
    )
    assert [(m["reason"], m["d_on_hand"]) for m in ledger["items"]] == [("stock_count", -2)]


async def test_a_shortage_releases_the_newest_reservation_and_stock_stays_whole(api: LogisticsApi) -> None:
    warehouse = await a_warehouse(api)
    product = await a_product(api)
    lot = await put_away(api, warehouse["id"], product["id"], 5)
    first = await api.ok(
        "POST", "/v1/logistics/outbound", MERCHANT, 201, json=order_body(warehouse["id"], "A", 3)
    )
    second = await api.ok(
        "POST", "/v1/logistics/outbound", MERCHANT, 201, json=order_body(warehouse["id"], "B", 2)
    )
    count = {"count_key": "CC-2", "warehouse_id": warehouse["id"], "lines": [{"lot_id": lot, "counted": 3}]}
    result = await api.ok("POST", COUNTS, OPERATOR, 201, json=count)
    assert result["corrections"][0]["released_orders"] == [second["id"]]
    assert (await api.ok("GET", f"/v1/logistics/outbound/{first['id']}", MERCHANT))["status"] == "reserved"
    assert (await api.ok("GET", f"/v1/logistics/outbound/{second['id']}", MERCHANT))[
        "exception"
    ] == "out_of_stock"
    total = (await api.ok("GET", f"/v1/logistics/stock/products/{product['id']}", MERCHANT))["total"]
    assert total == {"on_hand": 3, "available": 0, "committed": 3, "unavailable": 0}


async def test_a_count_of_a_lot_elsewhere_is_named(api: LogisticsApi) -> None:
    warehouse = await a_warehouse(api)
    response = await api.post(
        COUNTS,
        OPERATOR,
        json={
            "count_key": "X",
            "warehouse_id": warehouse["id"],
            "lines": [{"lot_id": "lot_zz", "counted": 1}],
        },
    )
    assert response.status_code == 422 and response.json()["errors"][0]["pointer"] == "/body/lines/0/lot_id"


async def test_the_ledger_refuses_a_number_for_a_date_time(api: LogisticsApi) -> None:
    response = await api.get("/v1/logistics/stock/movements?since=1700000000", OPERATOR)
    assert (response.status_code, response.json()["errors"][0]["pointer"]) == (422, "/query/since")
