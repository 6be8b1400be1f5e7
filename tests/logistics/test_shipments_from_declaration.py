"""Shipments made from the declaration service's events: an accepted customs waybill makes one,
its inventory links it to the order and the conveyance, customs receipts join its timeline."""

from __future__ import annotations

import datetime as dt

from shared.events import build_event
from shared.events.declaration import DocumentAccepted, DocumentStatusChanged
from shared.events.statuses import DocumentStatus
from tests.logistics.support import (
    CARRIER,
    ENTERPRISE,
    LogisticsApi,
    inventory_event,
    new_tag,
    waybill_accepted,
)


async def test_an_accepted_export_waybill_makes_a_shipment_with_its_leg(api: LogisticsApi) -> None:
    tag = new_tag()
    await api.feed([waybill_accepted(tag)])
    shipment = await api.shipment_of(tag)
    leg = shipment["legs"][0]
    assert (shipment["direction"], shipment["logistics_no"], shipment["origin"]) == (
        "export",
        f"LN{tag}",
        "declaration",
    )
    assert (leg["carrier_code"], leg["tracking_number"], leg["role"], leg["status"]) == (
        CARRIER.codes[0].code,
        f"LN{tag}",
        "linehaul",
        "pending",
    )


async def test_the_same_waybill_event_twice_makes_one_shipment(api: LogisticsApi) -> None:
    tag = new_tag()
    event = waybill_accepted(tag)
    assert await api.feed([event, event]) == ["applied", "duplicate"]
    found = await api.get(f"/v1/logistics/shipments/search?number=LN{tag}", CARRIER)
    assert len(found.json()["items"]) == 1


async def test_the_inventory_links_order_mode_and_conveyance(api: LogisticsApi) -> None:
    tag = new_tag()
    await api.feed(
        [waybill_accepted(tag, mode=None), inventory_event(tag, traf_mode="3", invt_no=f"I{tag}"[:18])]
    )
    shipment = await api.shipment_of(tag)
    assert (shipment["order_no"], shipment["customs_mode"], shipment["invt_no"]) == (
        f"ON{tag}",
        "9610",
        f"I{tag}"[:18],
    )
    assert shipment["legs"][0]["mode"] == "rail"


async def test_an_inventory_before_its_waybill_is_linked_when_the_shipment_appears(api: LogisticsApi) -> None:
    tag = new_tag()
    await api.feed([inventory_event(tag), waybill_accepted(tag, mode=None)])
    shipment = await api.shipment_of(tag)
    assert (shipment["order_no"], shipment["customs_mode"], shipment["legs"][0]["mode"]) == (
        f"ON{tag}",
        "9610",
        "sea",
    )


async def test_customs_receipts_join_the_timeline(api: LogisticsApi) -> None:
    tag = new_tag()
    await api.feed(
        [
            waybill_accepted(tag),
            inventory_event(tag),
            inventory_event(tag, DocumentStatus.EXAMINATION_CONCLUDED),
            inventory_event(tag, DocumentStatus.RELEASED),
        ]
    )
    shipment = await api.shipment_of(tag)
    events = await api.timeline(shipment["id"])
    assert [(e["source"], e["sub_status"]) for e in events] == [
        ("customs", "customs_export_clearance"),
        ("customs", "customs_released"),
    ]
    assert (shipment["status"], shipment["sub_status"]) == ("in_transit", "customs_released")


async def test_a_customs_inspection_is_a_customs_hold(api: LogisticsApi) -> None:
    tag = new_tag()
    await api.feed([waybill_accepted(tag), inventory_event(tag, DocumentStatus.INSPECTION)])
    shipment = await api.shipment_of(tag)
    assert (shipment["status"], shipment["sub_status"], shipment["reason"]) == (
        "exception",
        "customs_held",
        "customs_inspection",
    )


async def test_a_deleted_waybill_cancels_the_shipment(api: LogisticsApi) -> None:
    tag = new_tag()
    created = waybill_accepted(tag)
    document = DocumentAccepted.model_validate(created.data).document
    deleted = build_event(
        DocumentStatusChanged(
            document=document,
            previous_status=DocumentStatus.ACCEPTED,
            status=DocumentStatus.DELETED,
            occurred_at=dt.datetime.now(dt.UTC),
        ),
        source="/ddt/declaration",
        subject=document.document_id,
    )
    await api.feed([created, deleted])
    assert (await api.shipment_of(tag))["status"] == "cancelled"


async def test_the_enterprise_of_the_inventory_sees_the_shipment(api: LogisticsApi) -> None:
    tag = new_tag()
    await api.feed([waybill_accepted(tag), inventory_event(tag)])
    shipment = await api.shipment_of(tag, ENTERPRISE)
    assert shipment["ebc_code"] == ENTERPRISE.codes[0].code
