"""Returns and exchanges through the API: the window, the return leg, receiving and grading
through the stock ledger, back to China (the owner's customs filing), exchanges."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from shared.events import build_event
from shared.events.declaration import InventoryReturned
from shared.events.statuses import DocumentStatus
from tests.logistics import support as declaration
from tests.logistics.support import (
    CARRIER,
    ENTERPRISE,
    OTHER_ENTERPRISE,
    inventory_event,
    new_tag,
    registered,
)
from tests.logistics.warehousing.conftest import OPERATOR, OTHER_OPERATOR, LogisticsApi
from tests.logistics.warehousing.support import a_product, a_warehouse, order_body, put_away

RETURNS = "/v1/logistics/returns"
UTC = dt.UTC


async def _feed(api: LogisticsApi, events: list[Any]) -> list[str]:
    return await declaration.LogisticsApi(api.app, api.client).feed(events)


async def _released_parcel(
    api: LogisticsApi, *, days_ago: float = 10, direction: str = "export", mode: str = "9610"
) -> dict[str, Any]:
    """A parcel of ENTERPRISE's whose inventory customs released ``days_ago`` days ago."""
    tag = new_tag()
    released = dt.datetime.now(UTC) - dt.timedelta(days=days_ago)
    invt_no = f"I{tag}"[:18]
    await _feed(
        api,
        [
            registered(CARRIER, 1),
            declaration.waybill_accepted(tag, direction=direction, mode=mode),
            inventory_event(tag, direction=direction, mode=mode, invt_no=invt_no),
            inventory_event(
                tag,
                DocumentStatus.RELEASED,
                direction=direction,
                mode=mode,
                invt_no=invt_no,
                occurred_at=released,
            ),
        ],
    )
    shipment = await declaration.LogisticsApi(api.app, api.client).shipment_of(tag, ENTERPRISE)
    return {"id": shipment["id"], "invt_no": invt_no, "tag": tag}


def _body(shipment_id: str, warehouse_id: str | None, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reference": "RMA-1",
        "shipment_id": shipment_id,
        "reason": "defective",
        "disposition": "warehouse" if warehouse_id else "china",
        "warehouse_id": warehouse_id,
        "lines": [{"sku": "CRY-BR-001", "quantity": 3}],
    }
    if warehouse_id is None:
        body.pop("warehouse_id")
    body.update(overrides)
    return body


async def _stock(api: LogisticsApi, product_id: str) -> dict[str, int]:
    return (await api.ok("GET", f"/v1/logistics/stock/products/{product_id}", ENTERPRISE))["total"]  # type: ignore[no-any-return]


async def test_a_return_into_a_warehouse_is_restocked_as_graded_through_the_ledger(api: LogisticsApi) -> None:
    warehouse = await a_warehouse(api)
    product = await a_product(api, ENTERPRISE)
    parcel = await _released_parcel(api)
    body = _body(parcel["id"], warehouse["id"])
    opened = await api.ok("POST", RETURNS, ENTERPRISE, 201, json=body)
    assert (opened["status"], opened["direction"], opened["customs_mode"]) == ("requested", "export", "9610")
    assert opened["window_closes_on"] == opened["released_on"].replace(
        opened["released_on"][:4], str(int(opened["released_on"][:4]) + 1), 1
    )
    again = await api.ok("POST", RETURNS, ENTERPRISE, 200, json=body)
    assert again["id"] == opened["id"]
    path = f"{RETURNS}/{opened['id']}"
    shipped = await api.ok(
        "POST",
        f"{path}/ship",
        ENTERPRISE,
        json={"mode": "post", "carrier_code": CARRIER.codes[0].code, "tracking_number": "RR123456785DE"},
    )
    assert shipped["status"] == "in_transit" and shipped["return_leg_id"]
    legs = (await api.ok("GET", f"/v1/logistics/shipments/{parcel['id']}", ENTERPRISE))["legs"]
    assert [(leg["role"], leg["tracking_number"]) for leg in legs][-1] == ("return", "RR123456785DE")

    grading = {"lines": [{"sku": "CRY-BR-001", "sellable": 2, "unsellable": 1}]}
    received = await api.ok("POST", f"{path}/receive", OPERATOR, json=grading)
    assert received["status"] == "received"
    assert (received["lines"][0]["sellable"], received["lines"][0]["unsellable"]) == (2, 1)
    assert await _stock(api, product["id"]) == {
        "on_hand": 3,
        "available": 2,
        "committed": 0,
        "unavailable": 1,
    }
    ledger = await api.ok("GET", f"/v1/logistics/stock/movements?product_id={product['id']}", OPERATOR)
    assert sorted((m["kind"], m["quantity"]) for m in ledger["items"]) == [
        ("return_sellable", 2),
        ("return_unsellable", 1),
    ]

    await api.ok("POST", f"{path}/receive", OPERATOR, json=grading)  # the same receipt again: stored once
    assert await _stock(api, product["id"]) == {
        "on_hand": 3,
        "available": 2,
        "committed": 0,
        "unavailable": 1,
    }
    other = await api.post(
        f"{path}/receive", OPERATOR, json={"lines": [{"sku": "CRY-BR-001", "sellable": 3, "unsellable": 0}]}
    )
    assert other.status_code == 409 and other.json()["type"].endswith("logistics.return_state")
    [event] = [e for e in await api.staged("ddt.logistics.return.changed") if e.data["status"] == "received"]
    assert (event.data["sellable_units"], event.data["unsellable_units"]) == (2, 1)


async def test_a_return_outside_its_window_is_refused_with_the_windows_dates(api: LogisticsApi) -> None:
    warehouse = await a_warehouse(api)
    await a_product(api, ENTERPRISE)
    parcel = await _released_parcel(api, days_ago=400)
    answer = await api.post(RETURNS, ENTERPRISE, json=_body(parcel["id"], warehouse["id"]))
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["type"].endswith("logistics.return_window_closed")
    opens, closes = (
        dt.date.fromisoformat(problem["window_opens_on"]),
        dt.date.fromisoformat(problem["window_closes_on"]),
    )
    assert closes.year == opens.year + 1
    assert (
        problem["window_opens_on"] in problem["detail"] and problem["window_closes_on"] in problem["detail"]
    )


async def test_an_import_parcel_follows_customs_window_of_days(api: LogisticsApi) -> None:
    await a_product(api, ENTERPRISE)
    late = await _released_parcel(api, days_ago=40, direction="import", mode="9610")
    answer = await api.post(RETURNS, ENTERPRISE, json=_body(late["id"], None))
    assert answer.status_code == 422
    opens = dt.date.fromisoformat(answer.json()["window_opens_on"])
    assert dt.date.fromisoformat(answer.json()["window_closes_on"]) - opens == dt.timedelta(days=30)
    recent = await _released_parcel(api, days_ago=5, direction="import", mode="9610")
    opened = await api.ok("POST", RETURNS, ENTERPRISE, 201, json=_body(recent["id"], None, reference="RMA-2"))
    assert opened["direction"] == "import"


async def test_a_parcel_customs_has_not_released_cannot_be_returned(api: LogisticsApi) -> None:
    await a_product(api, ENTERPRISE)
    tag = new_tag()
    await _feed(api, [declaration.waybill_accepted(tag)])
    shipment = await declaration.LogisticsApi(api.app, api.client).shipment_of(tag, ENTERPRISE)
    answer = await api.post(RETURNS, ENTERPRISE, json=_body(shipment["id"], None))
    assert answer.status_code == 409 and answer.json()["type"].endswith("logistics.return_not_released")


async def test_another_partys_parcel_cannot_be_returned_or_seen(api: LogisticsApi) -> None:
    warehouse = await a_warehouse(api)
    await a_product(api, ENTERPRISE)
    await a_product(api, OTHER_ENTERPRISE)
    parcel = await _released_parcel(api)
    answer = await api.post(RETURNS, OTHER_ENTERPRISE, json=_body(parcel["id"], warehouse["id"]))
    assert answer.status_code == 404
    opened = await api.ok("POST", RETURNS, ENTERPRISE, 201, json=_body(parcel["id"], warehouse["id"]))
    for who in (OTHER_ENTERPRISE, OTHER_OPERATOR):
        assert (await api.get(f"{RETURNS}/{opened['id']}", who)).status_code == 404
    assert (await api.get(f"{RETURNS}/{opened['id']}", OPERATOR)).status_code == 200
    listed = await api.ok("GET", RETURNS, OTHER_ENTERPRISE)
    assert listed["items"] == []
    grading = {"lines": [{"sku": "CRY-BR-001", "sellable": 1, "unsellable": 0}]}
    assert (
        await api.post(f"{RETURNS}/{opened['id']}/receive", OTHER_OPERATOR, json=grading)
    ).status_code == 404


async def test_back_in_china_the_owner_is_told_to_file_and_customs_acceptance_marks_it_filed(
    api: LogisticsApi,
) -> None:
    await a_product(api, ENTERPRISE)
    parcel = await _released_parcel(api)
    opened = await api.ok("POST", RETURNS, ENTERPRISE, 201, json=_body(parcel["id"], None))
    path = f"{RETURNS}/{opened['id']}"
    early = await api.post(f"{path}/arrived-in-china", ENTERPRISE)
    assert early.status_code == 409  # not on its way yet
    await api.ok(
        "POST",
        f"{path}/ship",
        ENTERPRISE,
        json={"mode": "express", "carrier_code": CARRIER.codes[0].code, "tracking_number": "SF1234567890"},
    )
    back = await api.ok("POST", f"{path}/arrived-in-china", ENTERPRISE)
    assert back["status"] == "arrived_in_china"
    [due] = await api.staged("ddt.logistics.return.filing_due")
    assert (due.data["party_id"], due.data["message_type"], due.data["filing_path"], due.data["invt_no"]) == (
        ENTERPRISE.party_id,
        "CEB213",
        "/v1/customs/export/returns",
        parcel["invt_no"],
    )
    document = declaration.facts(
        "inventory", "CEB603", parcel["tag"], party_id=ENTERPRISE.party_id, invt_no=parcel["invt_no"]
    )
    accepted = build_event(
        InventoryReturned(
            document=document,
            return_id="doc-CEB213-1",
            returned_chapters=[],
            returned_value=Decimal("37.50"),
            returned_value_cny=Decimal("270.00"),
            occurred_at=dt.datetime.now(UTC),
        ),
        source="/ddt/declaration",
        subject="doc-CEB213-1",
    )
    assert await _feed(api, [accepted, accepted]) == ["applied", "duplicate"]
    filed = await api.ok("GET", path, ENTERPRISE)
    assert (filed["status"], filed["customs_return_id"]) == ("filed", "doc-CEB213-1")


async def test_an_exchange_places_a_reshipment_linked_to_the_return(api: LogisticsApi) -> None:
    warehouse = await a_warehouse(api)
    product = await a_product(api, ENTERPRISE)
    await put_away(api, warehouse["id"], product["id"], 5, owner=ENTERPRISE)
    parcel = await _released_parcel(api)
    opened = await api.ok("POST", RETURNS, ENTERPRISE, 201, json=_body(parcel["id"], warehouse["id"]))
    body = {"order": order_body(warehouse["id"], reference="EXCH-1")}
    exchanged = await api.ok("POST", f"{RETURNS}/{opened['id']}/exchange", ENTERPRISE, json=body)
    order = await api.ok("GET", f"/v1/logistics/outbound/{exchanged['exchange_order_id']}", ENTERPRISE)
    assert (order["replaces_return_id"], order["status"]) == (opened["id"], "reserved")
    again = await api.ok("POST", f"{RETURNS}/{opened['id']}/exchange", ENTERPRISE, json=body)
    assert again["exchange_order_id"] == exchanged["exchange_order_id"]
    second = await api.post(
        f"{RETURNS}/{opened['id']}/exchange",
        ENTERPRISE,
        json={"order": order_body(warehouse["id"], reference="EXCH-2")},
    )
    assert second.status_code == 409
    assert await _stock(api, product["id"]) == {
        "on_hand": 5,
        "available": 4,
        "committed": 1,
        "unavailable": 0,
    }


async def test_bad_returns_are_precise_problems(api: LogisticsApi) -> None:
    warehouse = await a_warehouse(api)
    await a_product(api, ENTERPRISE)
    parcel = await _released_parcel(api)
    cases = [
        (_body(parcel["id"], None, disposition="warehouse"), "/body"),
        (_body(parcel["id"], warehouse["id"], lines=[{"sku": "NOPE-1", "quantity": 1}]), "/body/lines/0/sku"),
        (
            _body(parcel["id"], warehouse["id"], lines=[{"sku": "CRY-BR-001", "quantity": 0}]),
            "/body/lines/0/quantity",
        ),
        (_body(parcel["id"], warehouse["id"], reason="changed_mind"), "/body/reason"),
    ]
    for body, pointer in cases:
        answer = await api.post(RETURNS, ENTERPRISE, json=body)
        assert answer.status_code == 422, answer.text
        assert any(e["pointer"].startswith(pointer) for e in answer.json()["errors"]), answer.text
    opened = await api.ok("POST", RETURNS, ENTERPRISE, 201, json=_body(parcel["id"], warehouse["id"]))
    changed = await api.post(
        RETURNS, ENTERPRISE, json=_body(parcel["id"], warehouse["id"], reason="wrong_item")
    )
    assert changed.status_code == 409 and changed.json()["return_id"] == opened["id"]
    too_many = {"lines": [{"sku": "CRY-BR-001", "sellable": 3, "unsellable": 1}]}
    answer = await api.post(f"{RETURNS}/{opened['id']}/receive", OPERATOR, json=too_many)
    assert answer.status_code == 422 and answer.json()["errors"][0]["pointer"] == "/body/lines/0"
    assert (await api.post(f"{RETURNS}/{opened['id']}/cancel", ENTERPRISE)).json()["status"] == "cancelled"
    assert (await api.post(f"{RETURNS}/{opened['id']}/receive", OPERATOR, json=too_many)).status_code in (
        409,
        422,
    )
