"""The warehouse registry and SKUs through the API, on SQLite and PostgreSQL."""

from __future__ import annotations

from tests.logistics.warehousing.conftest import (
    ADMIN,
    MERCHANT,
    OPERATOR,
    OTHER_MERCHANT,
    OTHER_OPERATOR,
    PLATFORM,
    REGULATOR,
    LogisticsApi,
)
from tests.logistics.warehousing.support import a_product, a_warehouse, product_body, warehouse_body

WAREHOUSES = "/v1/logistics/warehouses"
PRODUCTS = "/v1/logistics/products"


async def test_an_operator_registers_its_warehouse_and_statistics_hear_of_it(api: LogisticsApi) -> None:
    warehouse = await a_warehouse(api)
    assert warehouse["operator_party_id"] == OPERATOR.party_id
    assert warehouse["id"].startswith("wh_") and warehouse["revision"] == 1
    assert warehouse["years_operating"] >= 4
    [event] = await api.staged("ddt.logistics.warehouse.profiled")
    assert event.data["warehouse"]["warehouse_id"] == warehouse["id"]
    assert event.data["warehouse"]["certification_level"] == "municipal"
    assert "party_id" not in event.data  # not a webhook


async def test_only_operators_and_admins_register_warehouses(api: LogisticsApi) -> None:
    response = await api.post(WAREHOUSES, MERCHANT, json=warehouse_body())
    assert response.status_code == 403 and response.json()["code"] == "logistics.not_the_operator"


async def test_an_admin_names_the_operator(api: LogisticsApi) -> None:
    response = await api.post(WAREHOUSES, ADMIN, json=warehouse_body())
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/body/operator_party_id"
    made = await api.ok(
        "POST", WAREHOUSES, ADMIN, 201, json=warehouse_body(operator_party_id=OPERATOR.party_id)
    )
    assert made["operator_party_id"] == OPERATOR.party_id


async def test_a_code_is_the_operators_own_once(api: LogisticsApi) -> None:
    await a_warehouse(api)
    response = await api.post(WAREHOUSES, OPERATOR, json=warehouse_body())
    assert response.status_code == 409 and response.json()["errors"][0]["pointer"] == "/body/code"
    assert (await api.post(WAREHOUSES, OTHER_OPERATOR, json=warehouse_body())).status_code == 201


async def test_a_certification_needs_its_level_and_a_plausible_year(api: LogisticsApi) -> None:
    response = await api.post(WAREHOUSES, OPERATOR, json=warehouse_body(certification_level=None))
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "pointer": "/body/certification_level",
            "detail": "a certification needs both its level and its year",
        }
    ]
    early = await api.post(WAREHOUSES, OPERATOR, json=warehouse_body(certification_year=2021))
    assert early.status_code == 422 and "before operations started" in early.json()["detail"]


async def test_an_unknown_country_is_named(api: LogisticsApi) -> None:
    response = await api.post(WAREHOUSES, OPERATOR, json=warehouse_body(country="XX"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/body/country"


async def test_another_operator_cannot_change_a_profile(api: LogisticsApi) -> None:
    warehouse = await a_warehouse(api)
    path = f"{WAREHOUSES}/{warehouse['id']}"
    assert (await api.patch(path, OTHER_OPERATOR, json={"area_m2": "1"})).status_code == 403
    changed = await api.ok("PATCH", path, OPERATOR, json={"area_m2": "15000.5"})
    assert changed["revision"] == 2 and changed["area_m2"] == "15000.50"
    unchanged = await api.ok("PATCH", path, OPERATOR, json={"area_m2": "15000.50"})
    assert unchanged["revision"] == 2
    revisions = [e.data["revision"] for e in await api.staged("ddt.logistics.warehouse.profiled")]
    assert revisions == [1, 2]


async def test_the_registry_lists_by_country_a_page_at_a_time(api: LogisticsApi) -> None:
    for i in range(3):
        await a_warehouse(api, code=f"DE-{i}")
    await a_warehouse(api, code="US-1", country="US", city="Los Angeles")
    first = await api.ok("GET", f"{WAREHOUSES}?country=DE&limit=2", REGULATOR)
    second = await api.ok("GET", f"{WAREHOUSES}?country=DE&limit=2&cursor={first['next_cursor']}", MERCHANT)
    codes = [w["code"] for w in first["items"] + second["items"]]
    assert sorted(codes) == ["DE-0", "DE-1", "DE-2"] and second["next_cursor"] is None
    bad = await api.get(f"{WAREHOUSES}?cursor=nonsense", MERCHANT)
    assert bad.status_code == 422 and bad.json()["errors"][0]["pointer"] == "/query/cursor"


async def test_a_sku_carries_its_customs_fields(api: LogisticsApi) -> None:
    product = await a_product(api, battery="contained_in_equipment", barcode="6901234567892")
    assert product["has_battery"] is True and product["hs_code"] == "7116100000"
    assert product["declared_value"] == "12.50"
    again = await api.post(PRODUCTS, MERCHANT, json=product_body())
    assert again.status_code == 409 and again.json()["product_id"] == product["id"]


async def test_customs_fields_are_checked_one_by_one(api: LogisticsApi) -> None:
    body = product_body(
        name_zh="Crystal", name_en="水晶", hs_code="71", currency="ABC", barcode="6901234567890"
    )
    response = await api.post(PRODUCTS, MERCHANT, json=body)
    assert response.status_code == 422
    pointers = {e["pointer"] for e in response.json()["errors"]}
    assert pointers == {"/body/name_zh", "/body/name_en", "/body/hs_code", "/body/currency", "/body/barcode"}


async def test_another_owners_sku_is_not_found(api: LogisticsApi) -> None:
    product = await a_product(api)
    assert (await api.get(f"{PRODUCTS}/{product['id']}", OTHER_MERCHANT)).status_code == 404
    assert (await api.get(f"{PRODUCTS}/{product['id']}", PLATFORM)).status_code == 200  # acts for the owner


async def test_a_platform_files_skus_only_for_its_merchants(api: LogisticsApi) -> None:
    made = await a_product(api, PLATFORM, owner_party_id=MERCHANT.party_id)
    assert made["owner_party_id"] == MERCHANT.party_id
    refused = await api.post(PRODUCTS, PLATFORM, json=product_body(owner_party_id=OTHER_MERCHANT.party_id))
    assert refused.status_code == 403 and refused.json()["code"] == "logistics.not_the_owner"
    listed = await api.ok("GET", PRODUCTS, MERCHANT)
    assert [p["id"] for p in listed["items"]] == [made["id"]]


async def test_a_sku_change_is_a_new_revision_and_required_fields_stay(api: LogisticsApi) -> None:
    product = await a_product(api)
    path = f"{PRODUCTS}/{product['id']}"
    changed = await api.ok("PATCH", path, MERCHANT, json={"declared_value": "13", "brand": None})
    assert changed["revision"] == 2 and changed["brand"] is None
    emptied = await api.patch(path, MERCHANT, json={"hs_code": None})
    assert emptied.status_code == 422 and emptied.json()["errors"][0]["pointer"] == "/body/hs_code"
