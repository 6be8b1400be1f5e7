"""Who may file: every enterprise code must be the caller's (strict profile), else 403 naming the field."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from services.declaration.ceb.model import CebMessage
from services.declaration.settings import DeclarationSettings
from shared.events import build_event
from shared.events.gateway import PartyStatusChanged
from shared.identity import Identity
from shared.messaging.topics import events_topic
from shared.sqltypes import utcnow
from tests.declaration.service.conftest import Api, register_party
from tests.declaration.service.factory import (
    AGENT,
    AREA,
    CARRIER,
    EBC,
    EBP,
    EVERYONE,
    PAY,
    PLATFORM,
    import_set,
    party,
    with_records,
)
from tests.support.infra import Broker, wait_until


@pytest.fixture(scope="module")
def settings_overrides() -> dict[str, Any]:
    """This module proves the strict profile; the product's default is by_sender."""
    return {"ownership_profile": "strict"}


def test_the_default_profile_is_by_sender() -> None:
    assert DeclarationSettings.model_fields["ownership_profile"].default == "by_sender"


async def _count(api: Api, who: object, business_no: str) -> int:
    listing = await api.get(f"/v1/customs/documents?businessNo={business_no}", who)  # type: ignore[arg-type]
    return len(listing.json()["items"])


async def test_a_code_not_registered_to_the_caller_is_403_naming_the_field(api: Api, tag: str) -> None:
    no_carrier = party("no-carrier", *((c, []) for c in (EBP, EBC, AGENT, AREA)))
    inventory = import_set(tag)["inventory"]
    response = await api.post_xml(inventory, no_carrier)
    assert response.status_code == 403
    problem = response.json()
    assert problem["code"] == "declaration.code_not_registered"
    assert [(e["pointer"], e["field"]) for e in problem["errors"]] == [
        ("/records/0/head/logisticsCode", "logisticsCode")
    ]
    assert await _count(api, no_carrier, f"C{tag}") == 0


async def test_a_code_registered_for_another_kind_is_not_enough(api: Api, tag: str) -> None:
    # The agent's code registered only as ebcCode cannot stand as agentCode.
    wrong_kind = party(
        "wrong-kind",
        (EBP, []),
        (EBC, []),
        (CARRIER, []),
        (AREA, []),
        (AGENT, ["ebcCode", "copCode", "assureCode"]),
    )
    response = await api.post_xml(import_set(tag)["inventory"], wrong_kind)
    assert response.status_code == 403
    assert [e["field"] for e in response.json()["errors"]] == ["agentCode"]


async def test_the_transmitting_enterprise_must_be_the_caller(api: Api, tag: str) -> None:
    order = import_set(tag)["order"]
    order.base_transfer = {**(order.base_transfer or {}), "copCode": "9999999999"}
    response = await api.post_xml(order, EVERYONE)
    assert response.status_code == 403
    assert response.json()["errors"][0]["pointer"] == "/baseTransfer/copCode"


async def test_one_foreign_code_in_a_hundred_records_refuses_the_message(api: Api, tag: str) -> None:
    message = with_records(import_set(tag)["waybill"], 100, tag)
    message.records[57].head["logisticsCode"] = "1234567890"
    response = await api.post_xml(message, EVERYONE)
    assert response.status_code == 403
    assert [e["pointer"] for e in response.json()["errors"]] == ["/records/57/head/logisticsCode"]
    assert await _count(api, EVERYONE, f"L{tag}-{tag}0") == 0


def _order_without_payer(tag: str) -> CebMessage:
    order = import_set(tag)["order"]
    for name in ("payCode", "payName", "payTransactionId"):
        order.records[0].head.pop(name)
    return order


async def test_a_platform_files_orders_for_the_merchants_it_acts_for(api: Api, tag: str) -> None:
    response = await api.post_xml(_order_without_payer(tag), PLATFORM)
    assert response.status_code == 200, response.text
    assert response.json()["records"][0]["accepted"]
    # Strict profile: the payment firm's code in an order must be the caller's too.
    response = await api.post_xml(import_set(f"{tag}p")["order"], PLATFORM)
    assert response.status_code == 403
    assert [e["field"] for e in response.json()["errors"]] == ["payCode"]


async def test_a_platform_not_acting_for_the_merchant_is_refused(api: Api, tag: str) -> None:
    alone = party("platform-alone", (EBP, ["ebpCode", "copCode"]))
    response = await api.post_xml(_order_without_payer(tag), alone)
    assert response.status_code == 403
    error = response.json()["errors"][0]
    assert error["field"] == "ebcCode" and "on_behalf_of" in error["detail"]


async def test_only_orders_may_carry_a_merchant_code_by_delegation(api: Api, tag: str) -> None:
    carrier_for_merchant = party(
        "carrier-x", (CARRIER, []), (EBP, []), (AREA, []), (AGENT, []), on_behalf_of=["merchant-1"]
    )
    response = await api.post_xml(import_set(tag)["inventory"], carrier_for_merchant)
    assert response.status_code == 403
    assert [e["field"] for e in response.json()["errors"]] == ["ebcCode"]


async def test_a_suspended_merchant_can_no_longer_be_filed_for(api: Api, broker: Broker, tag: str) -> None:
    code = "3207969" + uuid.uuid4().hex[:3].upper()
    merchant = f"merchant-{tag}"
    await register_party(broker, api.db, merchant, code)
    platform = party(f"platform-{tag}", (EBP, ["ebpCode", "copCode"]), on_behalf_of=[merchant])
    order = _order_without_payer(tag)
    order.records[0].head["ebcCode"] = code
    assert (await api.post_xml(order, platform)).status_code == 200
    event = build_event(
        PartyStatusChanged(party_id=merchant, status="suspended", occurred_at=utcnow()),
        source="/ddt/gateway",
        subject=merchant,
    )
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(events_topic("gateway"), event.to_json_bytes(), key=merchant.encode())
    finally:
        await producer.stop()
    second = _order_without_payer(f"{tag}2")
    second.records[0].head["ebcCode"] = code

    async def refused() -> bool:
        second.records[0].head["orderNo"] = f"O{tag}-{uuid.uuid4().hex[:6]}"
        return (await api.post_xml(second, platform)).status_code == 403

    await wait_until(refused, timeout=60, message="suspension reaches the directory")


async def test_the_payment_firm_is_a_counterparty_under_the_by_sender_profile(tag: str) -> None:
    from services.declaration.prechecks.ownership import OwnershipPolicy, foreign_codes

    payment = import_set(tag)["payment"]
    payer = party("payer-only", (PAY, ["payCode", "copCode"]))
    strict = OwnershipPolicy.from_settings("strict", {}, {})
    by_sender = OwnershipPolicy.from_settings("by_sender", {}, {})
    assert [use.field for use in foreign_codes(payment, payer, strict)] == ["ebpCode"]
    assert foreign_codes(payment, payer, by_sender) == []
    extended = OwnershipPolicy.from_settings("strict", {"CEB411Message": ["ebpCode"]}, {})
    assert foreign_codes(payment, payer, extended) == []


async def test_a_delegation_scoped_to_other_message_types_does_not_let_an_order_through(
    api: Api, broker: Broker, tag: str
) -> None:
    code = "3207969" + uuid.uuid4().hex[:3].upper()
    merchant = f"merchant-scope-{tag}"
    await register_party(broker, api.db, merchant, code)
    order = _order_without_payer(tag)
    order.records[0].head["ebcCode"] = code

    def agent(scope: list[str]) -> Identity:
        base = party(f"agent-{tag}", (EBP, ["ebpCode", "copCode"]), on_behalf_of=[merchant])
        return base.model_copy(update={"delegated_message_types": {merchant: scope}})

    refused = await api.post_xml(order, agent(["CEB621"]))
    order.records[0].head["orderNo"] = f"O{tag}-scoped"
    allowed = await api.post_xml(order, agent(["CEB311", "CEB621"]))
    assert (refused.status_code, allowed.status_code) == (403, 200), allowed.text
    assert "for this message type" in refused.json()["errors"][0]["detail"]


def test_a_refusal_of_the_callers_own_code_says_which_kinds_it_holds_and_what_to_do() -> None:
    from services.declaration.prechecks.ownership import CodeUse, refusal_detail

    seller = party("self-operated", ("3207960001", ["ebcCode", "agentCode", "copCode"]))
    detail = refusal_detail(CodeUse("/records/0/head/ebpCode", "ebpCode", "3207960001", False), seller)
    assert detail == (
        "ebpCode 3207960001 is registered to the calling party as agentCode, copCode, ebcCode, not as "
        "ebpCode: a platform administrator adds the kind with PUT /v1/parties/self-operated/codes/3207960001 "
        '(the party\'s roles must allow ebpCode; docs/gateway.md "Enterprise codes")'
    )
    foreign = refusal_detail(CodeUse("/records/0/head/payCode", "payCode", "3101960003", False), seller)
    assert "is not registered to the calling party: if it is the caller's, register it" in foreign
