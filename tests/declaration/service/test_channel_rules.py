"""9710/9810 through the unified edition: only shipments ≤ 5,000 CNY, in any currency at the month's rate."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.declaration.service.conftest import Api
from tests.declaration.service.factory import EVERYONE, export_set


async def _answer(api: Api, message: Any) -> dict[str, Any]:
    response = await api.post_xml(message, EVERYONE)
    body = response.json()
    return (body if response.status_code == 200 else body["answer"])["records"][0]  # type: ignore[no-any-return]


async def test_a_b2b_order_above_5000_cny_is_sent_to_the_ordinary_declaration(api: Api, tag: str) -> None:
    order = export_set(tag, "9710", currency="502")["order"]
    order.records[0].head["goodsValue"] = Decimal("800")  # ≈ 5,700 CNY at the shipped USD rate
    answer = await _answer(api, order)
    assert not answer["accepted"]
    error = answer["errors"][0]
    assert (error["code"], error["pointer"]) == ("DDT-120", "/records/0/head/goodsValue")
    assert "H2018" in error["message"]


async def test_a_b2b_inventory_within_the_limit_in_dollars_is_accepted(api: Api, tag: str) -> None:
    inventory = export_set(tag, "9810", currency="502")["inventory"]  # 92 USD
    assert (await _answer(api, inventory))["accepted"]


async def test_a_b2b_inventory_with_a_licence_is_refused(api: Api, tag: str) -> None:
    inventory = export_set(tag, "9710")["inventory"]
    inventory.records[0].head["licenseNo"] = "LIC-0001"
    answer = await _answer(api, inventory)
    assert [(e["code"], e["pointer"]) for e in answer["errors"]] == [("DDT-120", "/records/0/head/licenseNo")]
