"""Object-level isolation (OWASP API1) for shipments: an enterprise sees its own, a carrier
its own legs, a regulator everything; anyone else gets "not found" on item, list, search,
timeline, legs, costs and subscriptions, and never sees a number of another's shipment."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.logistics.support import (
    CARRIER,
    ENTERPRISE,
    OTHER_CARRIER,
    OTHER_ENTERPRISE,
    REGULATOR,
    LogisticsApi,
    at,
    generic,
    inventory_event,
    new_tag,
    waybill_accepted,
)

Call = Callable[[LogisticsApi, Any, dict[str, str]], Awaitable[httpx.Response]]


async def _owned(api: LogisticsApi) -> dict[str, str]:
    """A shipment of ENTERPRISE carried by CARRIER, with a cost and a subscription."""
    tag = new_tag()
    await api.feed([waybill_accepted(tag), inventory_event(tag)])
    await api.push("generic", generic(tag, {"occurred_at": at(1), "status": "in_transit"}), CARRIER)
    shipment = await api.shipment_of(tag)
    cost = await api.post(
        f"/v1/logistics/shipments/{shipment['id']}/costs",
        CARRIER,
        json={"amount": "100.00", "currency": "CNY", "incurred_on": "2026-05-01"},
    )
    assert cost.status_code == 201, cost.text
    sub = await api.post("/v1/logistics/subscriptions", ENTERPRISE, json={"scope": "all"})
    return {
        "shipment": shipment["id"],
        "leg": shipment["legs"][0]["id"],
        "cost": cost.json()["id"],
        "subscription": sub.json()["id"],
        "number": f"LN{tag}",
    }


CASES: dict[str, Call] = {
    "read": lambda api, who, ids: api.get(f"/v1/logistics/shipments/{ids['shipment']}", who),
    "timeline": lambda api, who, ids: api.get(f"/v1/logistics/shipments/{ids['shipment']}/timeline", who),
    "costs": lambda api, who, ids: api.get(f"/v1/logistics/shipments/{ids['shipment']}/costs", who),
    "record cost": lambda api, who, ids: api.post(
        f"/v1/logistics/shipments/{ids['shipment']}/costs",
        who,
        json={"amount": "1.00", "currency": "CNY", "incurred_on": "2026-05-01"},
    ),
    "void cost": lambda api, who, ids: api.post(
        f"/v1/logistics/shipments/{ids['shipment']}/costs/{ids['cost']}/void", who, json={}
    ),
    "add leg": lambda api, who, ids: api.post(
        f"/v1/logistics/shipments/{ids['shipment']}/legs",
        who,
        json={
            "mode": "express",
            "carrier_code": who.codes[0].code if who.codes else "X",
            "tracking_number": "Z1",
        },
    ),
    "change leg": lambda api, who, ids: api.call(
        "PATCH",
        f"/v1/logistics/shipments/{ids['shipment']}/legs/{ids['leg']}",
        who,
        json={"tracking_number": "Z2"},
    ),
    "subscription": lambda api, who, ids: api.get(f"/v1/logistics/subscriptions/{ids['subscription']}", who),
    "delete subscription": lambda api, who, ids: api.call(
        "DELETE", f"/v1/logistics/subscriptions/{ids['subscription']}", who
    ),
    "test-fire": lambda api, who, ids: api.post(
        f"/v1/logistics/subscriptions/{ids['subscription']}/test", who
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("intruder", [OTHER_ENTERPRISE, OTHER_CARRIER], ids=["enterprise", "carrier"])
async def test_another_party_gets_not_found(api: LogisticsApi, case: str, intruder: Any) -> None:
    ids = await _owned(api)
    response = await CASES[case](api, intruder, ids)
    assert response.status_code == 404, (case, response.status_code, response.text)
    assert ids["number"] not in response.text


@pytest.mark.parametrize("intruder", [OTHER_ENTERPRISE, OTHER_CARRIER], ids=["enterprise", "carrier"])
async def test_search_and_lists_never_show_anothers_shipment(api: LogisticsApi, intruder: Any) -> None:
    ids = await _owned(api)
    found = await api.get(f"/v1/logistics/shipments/search?number={ids['number']}", intruder)
    listed = await api.get("/v1/logistics/shipments?limit=500", intruder)
    assert found.json()["items"] == []
    assert ids["shipment"] not in listed.text


async def test_the_owner_and_the_carrier_see_it_and_a_regulator_sees_everything(api: LogisticsApi) -> None:
    ids = await _owned(api)
    for who in (ENTERPRISE, CARRIER, REGULATOR):
        assert (await CASES["read"](api, who, ids)).status_code == 200
        assert (await CASES["timeline"](api, who, ids)).status_code == 200
    listed = await api.get("/v1/logistics/shipments?limit=500", REGULATOR)
    assert ids["shipment"] in listed.text


async def test_a_regulator_reads_but_never_writes(api: LogisticsApi) -> None:
    ids = await _owned(api)
    assert (await CASES["record cost"](api, REGULATOR, ids)).status_code in (403, 404)
    assert (await CASES["change leg"](api, REGULATOR, ids)).status_code == 404


async def test_a_subcontracted_carrier_sees_only_its_own_leg(api: LogisticsApi) -> None:
    ids = await _owned(api)
    added = await api.post(
        f"/v1/logistics/shipments/{ids['shipment']}/legs",
        ENTERPRISE,
        json={
            "role": "last_mile",
            "mode": "express",
            "carrier_code": OTHER_CARRIER.codes[0].code,
            "tracking_number": f"LM{ids['number']}",
        },
    )
    assert added.status_code == 201, added.text
    pushed = await api.push(
        "generic",
        {"events": [{"tracking_number": f"LM{ids['number']}", "occurred_at": at(30), "status": "delivered"}]},
        OTHER_CARRIER,
    )
    assert pushed.status_code == 200, pushed.text
    theirs = (await CASES["read"](api, OTHER_CARRIER, ids)).json()
    assert [leg["carrier_code"] for leg in theirs["legs"]] == [OTHER_CARRIER.codes[0].code]
    events = (await CASES["timeline"](api, OTHER_CARRIER, ids)).json()["items"]
    assert {e["leg_id"] for e in events} == {added.json()["id"]}
    ours = (await CASES["read"](api, ENTERPRISE, ids)).json()
    assert (len(ours["legs"]), ours["status"]) == (2, "delivered")
    assert (await CASES["costs"](api, OTHER_CARRIER, ids)).status_code == 404
