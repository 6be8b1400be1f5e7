"""Stock through its service and routes: the ledger, duplicates, refusals, the stock view."""

from __future__ import annotations

from tests.logistics.warehousing.conftest import (
    MERCHANT,
    OPERATOR,
    OTHER_MERCHANT,
    OTHER_OPERATOR,
    LogisticsApi,
)
from tests.logistics.warehousing.support import a_product, a_warehouse, put_away

MOVEMENTS = "/v1/logistics/stock/movements"


async def _stocked(api: LogisticsApi, units: int = 10) -> tuple[str, str, str]:
    warehouse = await a_warehouse(api)
    product = await a_product(api)
    lot = await put_away(api, warehouse["id"], product["id"], units)
    return warehouse["id"], product["id"], lot


def _hold(
    warehouse: str, lot: str, quantity: int = 2, key: str = "WMS-1", kind: str = "hold"
) -> dict[str, object]:
    return {
        "movement_key": key,
        "warehouse_id": warehouse,
        "lot_id": lot,
        "kind": kind,
        "quantity": quantity,
        "reason": "damaged_in_storage",
    }


async def test_the_same_movement_sent_twice_is_stored_and_applied_once(api: LogisticsApi) -> None:
    warehouse, product, lot = await _stocked(api)
    first = await api.ok("POST", MOVEMENTS, OPERATOR, 201, json=_hold(warehouse, lot))
    again = await api.ok("POST", MOVEMENTS, OPERATOR, 201, json=_hold(warehouse, lot))
    assert (first["replayed"], again["replayed"]) == (False, True)
    assert again["movement"]["seq"] == first["movement"]["seq"]
    view = await api.ok("GET", f"/v1/logistics/stock/products/{product}", MERCHANT)
    assert view["total"] == {"on_hand": 10, "available": 8, "committed": 0, "unavailable": 2}
    holds = await api.ok("GET", f"{MOVEMENTS}?kind=hold", OPERATOR)
    assert len(holds["items"]) == 1


async def test_a_movement_key_reused_for_another_movement_is_refused(api: LogisticsApi) -> None:
    warehouse, _product, lot = await _stocked(api)
    await api.ok("POST", MOVEMENTS, OPERATOR, 201, json=_hold(warehouse, lot))
    response = await api.post(MOVEMENTS, OPERATOR, json=_hold(warehouse, lot, quantity=3))
    assert response.status_code == 409 and response.json()["code"] == "logistics.movement_key_reused"


async def test_stock_never_goes_negative_and_a_refusal_changes_nothing(api: LogisticsApi) -> None:
    warehouse, product, lot = await _stocked(api, 5)
    response = await api.post(MOVEMENTS, OPERATOR, json=_hold(warehouse, lot, quantity=2, kind="dispose"))
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "logistics.stock_insufficient" and body["errors"][0]["pointer"] == "/body/quantity"
    assert "0 unavailable" in body["detail"]
    held = await api.post(MOVEMENTS, OPERATOR, json=_hold(warehouse, lot, quantity=6, key="WMS-2"))
    assert held.status_code == 409 and held.json()["available"] == 5
    ledger = await api.ok("GET", f"{MOVEMENTS}?product_id={product}", MERCHANT)
    assert [m["kind"] for m in ledger["items"]] == ["receive"]


async def test_only_the_operator_reports_movements_in_its_warehouse(api: LogisticsApi) -> None:
    warehouse, _product, lot = await _stocked(api)
    response = await api.post(MOVEMENTS, OTHER_OPERATOR, json=_hold(warehouse, lot))
    assert response.status_code == 403
    foreign_lot = await api.post(MOVEMENTS, OPERATOR, json=_hold(warehouse, "lot_nope"))
    assert foreign_lot.status_code == 422 and foreign_lot.json()["errors"][0]["pointer"] == "/body/lot_id"


async def test_a_sku_across_warehouses_with_lots_and_ageing(api: LogisticsApi) -> None:
    frankfurt = await a_warehouse(api)
    los_angeles = await a_warehouse(api, OTHER_OPERATOR, code="US-LA", country="US", city="Los Angeles")
    product = await a_product(api)
    await put_away(api, frankfurt["id"], product["id"], 4, lot_no="A", received_on="2025-01-01")
    await put_away(api, frankfurt["id"], product["id"], 6, lot_no="B", received_on="2026-11-20")
    await put_away(api, los_angeles["id"], product["id"], 3, lot_no="C", received_on="2026-10-01")
    view = await api.ok("GET", f"/v1/logistics/stock/products/{product['id']}", MERCHANT)
    assert view["total"]["on_hand"] == 13
    by_wh = {w["warehouse_id"]: w for w in view["warehouses"]}
    assert [lot["lot_no"] for lot in by_wh[frankfurt["id"]]["lots"]] == ["A", "B"]
    assert by_wh[frankfurt["id"]]["ageing"][">365"] == 4
    # an operator sees the SKU only in its own warehouse; another merchant not at all
    theirs = await api.ok("GET", f"/v1/logistics/stock/products/{product['id']}", OTHER_OPERATOR)
    assert [w["warehouse_id"] for w in theirs["warehouses"]] == [los_angeles["id"]]
    assert (await api.get(f"/v1/logistics/stock/products/{product['id']}", OTHER_MERCHANT)).status_code == 404
    ageing = await api.ok("GET", f"/v1/logistics/stock/ageing?warehouse_id={frankfurt['id']}", OPERATOR)
    assert ageing["total"][">365"] == 4 and sum(ageing["total"].values()) == 10
