"""A full flow per mode, from intake through the HTTP API to customs' last word, via the embedded simulator.

1210 and 9610 import: order, payment, waybill and inventory filed by their parties →
matched → signed, enveloped, sent → 2, 3, 120, 399, 800 (CEB816 tax bill), 899; the
partners reach 399. 9610, 9710 and 9810 export: order, waybill, inventory → 399, the
arrival report (CEB507) → 800, the departure report (CEB509) → 899. Each change is an
event with the customs time; the filer can read every receipt and every message sent
exactly as it went.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from lxml import etree

from services.declaration.ceb.xml_codec import decode_xml
from services.declaration.customs.core.signing import verify_document
from tests.declaration.flows.flowkit import Flow, arrival, departure, events_of
from tests.declaration.service.factory import AGENT_PARTY, CARRIER_PARTY, PAYER, PLATFORM

IMPORT_PATH = [
    "matched",
    "sent",
    "submitted",
    "sent_to_customs",
    "customs_accepted",
    "examination_concluded",
    "released",
    "closed",
]
EXPORT_PATH = IMPORT_PATH  # export: released on the arrival report, closed on the departure report


async def _check_events_follow_receipts(flow: Flow, document_id: str, mode: str) -> None:
    history = await flow.history(document_id)
    applied = [r for r in history["receipts"] if r["outcome"] == "applied" and r["track"] == "document"]
    events = await events_of(flow, document_id, "ddt.declaration.document.status_changed")
    customs_events = [e["data"] for e in events if e["data"].get("customs_status")]
    # One event per applied receipt, with the customs status and the customs time.
    assert [e["customs_status"] for e in customs_events] == [r["returnStatus"] for r in applied]
    assert [datetime.fromisoformat(e["occurred_at"]) for e in customs_events] == [
        datetime.fromisoformat(r["returnTime"]) for r in applied
    ]
    assert {e["document"]["mode"] for e in customs_events} == {mode}
    assert all(e["document"]["party_id"] for e in customs_events)


async def _check_originals(flow: Flow, document_id: str) -> None:
    view = await flow.document(document_id)
    message_id = view["customs"]["outbound"]["messageId"]
    sent = await flow.api.get(f"/v1/customs/outbound/{message_id}?envelope=false", AGENT_PARTY)
    assert sent.status_code == 200
    assert decode_xml(sent.content).ok  # XSD-valid as sent
    assert verify_document(sent.content).valid  # and its signature verifies
    envelope = await flow.api.get(f"/v1/customs/outbound/{message_id}", AGENT_PARTY)
    assert etree.QName(etree.fromstring(envelope.content)).localname == "DxpMsgSv"
    assert (await flow.api.get(f"/v1/customs/outbound/{message_id}", PAYER)).status_code == 404
    receipts = (await flow.history(document_id))["receipts"]
    first = await flow.api.get(f"/v1/customs/receipts/{receipts[0]['receiptId']}", AGENT_PARTY)
    assert first.status_code == 200 and b"InventoryReturn" in first.content
    assert (await flow.api.get(f"/v1/customs/receipts/{receipts[0]['receiptId']}", PAYER)).status_code == 404


@pytest.mark.parametrize("mode", ["1210", "9610"])
async def test_import_inventory_goes_from_intake_to_closed(flow: Flow, tag: str, mode: str) -> None:
    filed = await flow.file_import(tag, mode)
    ids = filed["ids"]
    view = await flow.wait(ids["inventory"], "closed")
    assert await flow.statuses(ids["inventory"]) == IMPORT_PATH
    customs = view["customs"]
    assert customs["invtNo"] and customs["preNo"].startswith("B")
    assert customs["releasedAt"] and customs["closedAt"]
    assert customs["taxBills"][0]["status"] == "1" and customs["taxBills"][0]["invtNo"] == customs["invtNo"]
    for kind, identity in (("order", PLATFORM), ("payment", PAYER), ("waybill", CARRIER_PARTY)):
        partner = await flow.wait(ids[kind], "examination_concluded", identity)
        assert partner["customs"]["state"] == "examination_concluded"
    await _check_events_follow_receipts(flow, ids["inventory"], mode)
    await _check_originals(flow, ids["inventory"])


@pytest.mark.parametrize("mode", ["9610", "9710", "9810"])
async def test_export_inventory_is_released_on_arrival_and_closed_on_departure(
    flow: Flow, tag: str, mode: str
) -> None:
    filed = await flow.file_export(tag, mode)
    ids, inventory = filed["ids"], filed["messages"]["inventory"]
    await flow.wait(ids["inventory"], "examination_concluded")
    arrived = await flow.file(arrival(inventory, f"A{tag}"), CARRIER_PARTY)
    await flow.wait(ids["inventory"], "released")
    await flow.wait(arrived["documentId"], "examination_concluded", CARRIER_PARTY)
    left = await flow.file(departure(inventory, f"D{tag}"), CARRIER_PARTY)
    view = await flow.wait(ids["inventory"], "closed")
    await flow.wait(left["documentId"], "examination_concluded", CARRIER_PARTY)
    assert await flow.statuses(ids["inventory"]) == EXPORT_PATH
    assert view["customs"]["releasedAt"] and view["customs"]["closedAt"] and view["customs"]["invtNo"]
    for kind, identity in (("order", PLATFORM), ("waybill", CARRIER_PARTY)):
        await flow.wait(ids[kind], "examination_concluded", identity)
    await _check_events_follow_receipts(flow, ids["inventory"], mode)


async def test_the_change_feed_pages_the_callers_changes_with_a_cursor(flow: Flow, tag: str) -> None:
    filed = await flow.file_import(tag, "1210")
    await flow.wait(filed["ids"]["inventory"], "closed")
    seen: list[dict[str, Any]] = []
    cursor = ""
    while True:
        query = f"&cursor={cursor}" if cursor else ""
        page = (await flow.api.get(f"/v1/customs/changes?limit=7{query}", AGENT_PARTY)).json()
        if not page["items"]:
            # A feed: at the end the cursor stays where it is, to poll with.
            assert page["next_cursor"] == cursor
            break
        seen += page["items"]
        cursor = page["next_cursor"]
    mine = [c["to"] for c in seen if c["documentId"] == filed["ids"]["inventory"]]
    assert mine == ["waiting", *IMPORT_PATH] or mine == IMPORT_PATH
    assert all(c["documentId"] != filed["ids"]["order"] for c in seen)  # the platform's, not the agent's
    cursors = [c["cursor"] for c in seen]
    assert len(set(cursors)) == len(cursors)
    # Each change's cursor resumes the feed right after it; ``after`` is the old name of ``cursor``.
    resumed = (await flow.api.get(f"/v1/customs/changes?after={cursors[2]}&limit=3", AGENT_PARTY)).json()
    assert [c["cursor"] for c in resumed["items"]] == cursors[3:6]


async def test_documents_are_listed_by_their_status_under_its_old_name_too(flow: Flow, tag: str) -> None:
    filed = await flow.file_import(tag, "9610")
    order = filed["ids"]["order"]
    await flow.wait(order, "examination_concluded", PLATFORM)
    found = {}
    for name in ("examination_concluded", "cleared_review"):
        page = await flow.api.get(f"/v1/customs/documents?kind=order&status={name}&limit=500", PLATFORM)
        found[name] = order in {item["id"] for item in page.json()["items"]}
    assert found == {"examination_concluded": True, "cleared_review": True}
