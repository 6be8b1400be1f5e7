"""Events that arrive late, twice, out of order, before their number is known, or retracted:
the state is the one the event set gives, and a rebuild from the stored events equals it."""

from __future__ import annotations

import asyncio
import random

from services.logistics.tracking.service import rebuild
from tests.logistics.support import CARRIER, LogisticsApi, at, generic, new_tag, waybill_accepted

STEPS = [
    ("picked_up", "in_transit", 1),
    ("arrived_at_site", "in_transit", 3),
    ("customs_export_clearance", "in_transit", 4),
    ("customs_released", "in_transit", 6),
    ("loaded", "in_transit", 8),
    ("departed", "in_transit", 9),
    ("arrived", "in_transit", 30),
    ("with_courier", "out_for_delivery", 40),
    ("signed", "delivered", 44),
]


def _events(tag: str) -> list[dict[str, object]]:
    return [
        {"event_id": f"{tag}-{i}", "occurred_at": at(hours), "status": status, "sub_status": sub}
        for i, (sub, status, hours) in enumerate(STEPS)
    ]


async def _state(api: LogisticsApi, tag: str) -> dict[str, object]:
    shipment = await api.shipment_of(tag)
    keep = (
        "status",
        "sub_status",
        "status_since",
        "started_at",
        "delivered_at",
        "last_event_at",
        "eta",
        "first_eta",
        "punctuality",
        "customs_hours",
        "exceptions",
        "route",
    )
    return {k: shipment[k] for k in keep}


async def _no_difference(api: LogisticsApi, tag: str) -> None:
    shipment_id = (await api.shipment_of(tag))["id"]
    async with api.db.transaction() as session:
        assert await rebuild(session, [shipment_id]) == {}


async def test_shuffled_split_and_repeated_pushes_end_in_the_orderly_state(api: LogisticsApi) -> None:
    orderly, shuffled = new_tag(), new_tag()
    await api.feed([waybill_accepted(orderly), waybill_accepted(shuffled)])
    await api.push("generic", generic(orderly, *_events(orderly)), CARRIER)
    events = _events(shuffled)
    rng = random.Random(7)
    for _ in range(3):
        batch = rng.sample(events, k=4)
        await api.push("generic", generic(shuffled, *batch), CARRIER)
    rng.shuffle(events)
    await api.push("generic", generic(shuffled, *events), CARRIER)
    for tag in (orderly, shuffled):
        await _no_difference(api, tag)
    ours = await _state(api, shuffled)
    theirs = await _state(api, orderly)
    assert ours == theirs and ours["status"] == "delivered"


async def test_concurrent_pushes_for_one_shipment_miss_no_event(api: LogisticsApi) -> None:
    tag = new_tag()
    await api.feed([waybill_accepted(tag)])
    events = _events(tag)
    await asyncio.gather(*(api.push("generic", generic(tag, event), CARRIER) for event in events))
    await _no_difference(api, tag)
    assert (await _state(api, tag))["status"] == "delivered"


async def test_events_for_an_unknown_number_are_kept_and_attached_when_it_appears(api: LogisticsApi) -> None:
    tag = new_tag()
    early = await api.push("generic", generic(tag, *_events(tag)[:3]), CARRIER)
    assert [e["attached"] for e in early.json()["events"]] == [False, False, False]
    await api.feed([waybill_accepted(tag)])
    shipment = await api.shipment_of(tag)
    assert (shipment["sub_status"], len(await api.timeline(shipment["id"]))) == (
        "customs_export_clearance",
        3,
    )
    await _no_difference(api, tag)


async def test_a_replaced_number_keeps_finding_the_parcel(api: LogisticsApi) -> None:
    tag = new_tag()
    await api.feed([waybill_accepted(tag)])
    shipment = await api.shipment_of(tag)
    leg = shipment["legs"][0]
    orphan = await api.push(
        "generic",
        generic(
            f"NEW{tag}", {"occurred_at": at(2), "status": "in_transit", "sub_status": "arrived_at_facility"}
        ),
        CARRIER,
    )
    assert orphan.json()["events"][0]["attached"] is False
    changed = await api.call(
        "PATCH",
        f"/v1/logistics/shipments/{shipment['id']}/legs/{leg['id']}",
        CARRIER,
        json={"tracking_number": f"LNNEW{tag}"},
    )
    assert changed.status_code == 200, changed.text
    assert {"kind": "alias", "number": f"LN{tag}"} in changed.json()["numbers"]
    for number in (f"LN{tag}", f"LNNEW{tag}"):
        found = await api.get(f"/v1/logistics/shipments/search?number={number}", CARRIER)
        assert [i["shipment_id"] for i in found.json()["items"]] == [shipment["id"]]
    assert (await api.shipment_of(tag))["sub_status"] == "arrived_at_facility"


async def test_a_dcsa_retraction_withdraws_the_event_whichever_comes_first(api: LogisticsApi) -> None:
    tag = new_tag()
    bill = f"B{tag}"
    await api.feed([waybill_accepted(tag, number=bill)])
    wrong = {
        "eventID": f"{tag}-x",
        "eventType": "EQUIPMENT",
        "equipmentEventTypeCode": "DISC",
        "eventClassifierCode": "ACT",
        "eventDateTime": "2026-05-01T20:00:00+08:00",
        "documentReferences": [{"documentReferenceType": "TRD", "documentReferenceValue": bill}],
    }
    retraction = {
        "metadata": {
            "eventID": f"{tag}-r",
            "retractedEventID": f"{tag}-x",
            "eventCreatedDateTime": "2026-05-01T21:00:00+08:00",
        },
        "payload": {"documentReferences": wrong["documentReferences"]},
    }
    load = {
        **wrong,
        "eventID": f"{tag}-l",
        "equipmentEventTypeCode": "LOAD",
        "eventDateTime": "2026-05-01T10:00:00+08:00",
    }
    assert (await api.push("dcsa", [retraction, load], CARRIER)).status_code == 200
    assert (await api.push("dcsa", [wrong], CARRIER)).status_code == 200
    shipment = await api.shipment_of(tag, number=bill)
    assert shipment["sub_status"] == "loaded"
    marks = {e["raw_code"]: e["retracted"] for e in await api.timeline(shipment["id"]) if e["raw_code"]}
    assert marks == {"EQUIPMENT:LOAD": False, "EQUIPMENT:DISC": True}
