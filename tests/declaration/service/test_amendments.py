"""appType 2 (change) and 3 (delete) of documents still in the pre-check; quota given back on deletion."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from services.declaration.ceb.model import CebMessage
from tests.declaration.service.conftest import Api
from tests.declaration.service.factory import EVERYONE, import_set, new_guid, party
from tests.declaration.service.test_quota_and_tax import inventory_worth, new_buyer, used


def _as(message: CebMessage, app_type: str, **head: Any) -> CebMessage:
    changed = copy.deepcopy(message)
    changed.guid = new_guid()
    record = changed.records[0]
    record.head.update(guid=new_guid(), appType=app_type, **head)
    return changed


async def _answer(api: Api, message: CebMessage, who: Any = EVERYONE) -> dict[str, Any]:
    response = await api.post_xml(message, who)
    body = response.json()
    return (body if response.status_code == 200 else body["answer"])["records"][0]  # type: ignore[no-any-return]


async def test_the_filer_amends_its_order_before_it_goes_to_customs(api: Api, tag: str) -> None:
    order = import_set(tag)["order"]
    first = await _answer(api, order)
    changed = _as(order, "2", note="地址更正")
    second = await _answer(api, changed)
    assert second["accepted"] and second["action"] == "amended"
    assert second["documentId"] == first["documentId"]
    view = await api.document(first["documentId"], EVERYONE)
    assert view["revision"] == 2 and view["record"]["head"]["note"] == "地址更正"
    history = (await api.get(f"/v1/customs/documents/{first['documentId']}/history", EVERYONE)).json()[
        "history"
    ]
    assert [(h["from"], h["to"]) for h in history] == [(None, "accepted"), ("accepted", "accepted")]
    assert "appType 2" in history[-1]["reason"]


async def test_only_the_filer_may_amend_and_only_what_exists(api: Api, tag: str) -> None:
    order = import_set(tag)["order"]
    await _answer(api, order)
    other = party("other-filer", *((c, []) for c in ("3207960001", "3207960002", "3101960003")))
    refused = await _answer(api, _as(order, "2"), other)
    assert [e["code"] for e in refused["errors"]] == ["DDT-205"]
    unknown = await _answer(api, _as(import_set(f"{tag}n")["order"], "3"))
    assert [(e["code"], e["pointer"]) for e in unknown["errors"]] == [("DDT-204", "/records/0/head/appType")]


async def test_deleting_an_inventory_gives_its_quota_back_and_frees_its_number(api: Api, tag: str) -> None:
    buyer = new_buyer()
    inventory = inventory_worth(tag, Decimal("5000"), buyer)
    first = await _answer(api, inventory)
    assert await used(api, buyer) == Decimal("5000")
    deleted = await _answer(api, _as(inventory, "3"))
    assert deleted["accepted"] and deleted["status"] == "deleted"
    assert await used(api, buyer) == Decimal("0")
    assert (await api.document(first["documentId"], EVERYONE))["status"] == "deleted"
    again = await _answer(api, _as(inventory, "1"))
    assert again["accepted"] and again["documentId"] != first["documentId"]
    assert await used(api, buyer) == Decimal("5000")


async def test_an_amended_inventory_takes_the_quota_of_its_new_value(api: Api, tag: str) -> None:
    buyer = new_buyer()
    inventory = inventory_worth(tag, Decimal("5000"), buyer)
    await _answer(api, inventory)
    cheaper = inventory_worth(tag, Decimal("3000"), buyer)
    cheaper.records[0].head["appType"] = "2"
    assert (await _answer(api, cheaper))["accepted"]
    assert await used(api, buyer) == Decimal("3000")
    other_buyer = _as(cheaper, "2", buyerIdNumber=new_buyer())
    refused = await _answer(api, other_buyer)
    assert [e["code"] for e in refused["errors"]] == ["DDT-207"]


async def test_deleting_an_order_sends_its_matched_inventory_back_to_waiting(api: Api, tag: str) -> None:
    documents = import_set(tag)
    ids = {kind: (await _answer(api, message))["documentId"] for kind, message in documents.items()}
    assert (await api.document(ids["inventory"], EVERYONE))["status"] == "matched"
    assert (await _answer(api, _as(documents["order"], "3")))["accepted"]
    inventory = await api.document(ids["inventory"], EVERYONE)
    assert inventory["status"] == "waiting" and inventory["match"]["waitingFor"] == ["order"]
    refiled = await _answer(api, _as(documents["order"], "1"))
    inventory = await api.document(ids["inventory"], EVERYONE)
    assert inventory["status"] == "matched" and inventory["match"]["orderId"] == refiled["documentId"]
