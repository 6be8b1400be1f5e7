"""Duplicates with customs' codes, and the batch policy: good records accepted, bad ones reported by index."""

from __future__ import annotations

import asyncio
import copy
import datetime as dt

from lxml import etree
from sqlalchemy import update

from services.declaration.ceb.xml_codec import decode_xml
from services.declaration.documents.kinds import document_type
from services.declaration.documents.models import Document
from tests.declaration.service.conftest import Api, message_json
from tests.declaration.service.factory import EVERYONE, import_set, new_guid, with_records

NS = {"ceb": "http://www.chinaport.gov.cn/ceb"}


def _again(message):  # type: ignore[no-untyped-def]
    """The same document in a new message (new guids, same business keys)."""
    copied = copy.deepcopy(message)
    copied.guid = new_guid()
    for record in copied.records:
        record.head["guid"] = new_guid()
    return copied


async def _first_errors(api: Api, message) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    response = await api.post_xml(message, EVERYONE)
    body = response.json()
    answer = body if response.status_code == 200 else body["answer"]
    return [(e["code"], e["pointer"]) for e in answer["records"][0]["errors"]]


async def test_second_filing_of_each_kind_is_a_duplicate_with_the_customs_code(api: Api, tag: str) -> None:
    documents = import_set(tag)
    expected = {
        "order": ("-301010", "/records/0/head/orderNo"),
        "payment": ("-401007", "/records/0/head/payTransactionId"),
        "waybill": ("-504012", "/records/0/head/logisticsNo"),
        "inventory": ("-621004", "/records/0/head/copNo"),
    }
    for kind, message in documents.items():
        assert await _first_errors(api, message) == []
        assert await _first_errors(api, _again(message)) == [expected[kind]]


async def test_the_same_order_number_on_another_platform_is_not_a_duplicate(api: Api, tag: str) -> None:
    order = import_set(tag)["order"]
    assert await _first_errors(api, order) == []
    other = _again(order)
    other.records[0].head["ebpCode"] = "3207960006"
    assert await _first_errors(api, other) == []


async def test_a_carrier_may_reuse_a_waybill_number_after_six_months(api: Api, tag: str) -> None:
    waybill = import_set(tag)["waybill"]
    answer = (await api.post_xml(waybill, EVERYONE)).json()
    assert await _first_errors(api, _again(waybill)) == [("-504012", "/records/0/head/logisticsNo")]
    async with api.db.transaction() as session:
        await session.execute(
            update(Document)
            .where(Document.id == answer["records"][0]["documentId"])
            .values(accepted_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=200))
        )
    assert await _first_errors(api, _again(waybill)) == []


async def test_racing_identical_filings_accept_exactly_one(api: Api, tag: str) -> None:
    order = import_set(tag)["order"]
    responses = await asyncio.gather(*(api.post_xml(_again(order), EVERYONE) for _ in range(6)))
    assert sorted(r.status_code for r in responses) == [200] + [422] * 5
    refused = [
        r.json()["answer"]["records"][0]["errors"][0]["code"] for r in responses if r.status_code == 422
    ]
    assert refused == ["-301010"] * 5


async def test_a_bad_record_is_reported_by_index_and_the_others_are_accepted(api: Api, tag: str) -> None:
    message = with_records(import_set(tag)["order"], 3, tag)
    message.records[1].lines[0]["totalPrice"] = message.records[1].lines[0]["totalPrice"] + 1  # type: ignore[operator]
    message.records[2].head["orderNo"] = message.records[0].head["orderNo"]  # repeats record 0
    response = await api.post_xml(message, EVERYONE)
    assert response.status_code == 200
    answer = response.json()
    assert (answer["accepted"], answer["acceptedCount"], answer["rejectedCount"]) == (False, 1, 2)
    records = answer["records"]
    assert [r["accepted"] for r in records] == [True, False, False]
    assert [(e["code"], e["pointer"]) for e in records[1]["errors"]] == [
        ("DDT-102", "/records/1/lines/0/totalPrice")
    ]
    assert records[2]["errors"][0]["code"] == "-301010"
    assert "earlier in this message" in records[2]["errors"][0]["message"]
    assert "documentId" in records[0] and "documentId" not in records[1]

    again = with_records(import_set(f"{tag}x")["order"], 3, tag)
    again.records[1].lines[0]["totalPrice"] = again.records[1].lines[0]["totalPrice"] + 1  # type: ignore[operator]
    receipt = await api.post_xml(again, EVERYONE, accept="application/xml")
    assert receipt.status_code == 200 and receipt.headers["content-type"].startswith("application/xml")
    decoded = decode_xml(receipt.content)
    assert decoded.ok and decoded.message_type == "CEB312"  # an XSD-valid customs receipt
    root = etree.fromstring(receipt.content)
    statuses = root.xpath("ceb:OrderReturn/ceb:returnStatus/text()", namespaces=NS)
    infos = root.xpath("ceb:OrderReturn/ceb:returnInfo/text()", namespaces=NS)
    assert statuses == ["2", "-301008", "2"]
    assert infos[0].startswith("新增申报成功[") and "DDT-102 /records/1/lines/0/totalPrice" in infos[1]


async def test_every_record_rejected_is_422_with_the_per_record_answer(api: Api, tag: str) -> None:
    order = import_set(tag)["order"]
    order.records[0].head["acturalPaid"] = order.records[0].head["acturalPaid"] + 1  # type: ignore[operator]
    response = await api.post_xml(order, EVERYONE)
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "declaration.rejected"
    assert problem["errors"][0]["pointer"] == "/records/0/head/acturalPaid"
    assert problem["answer"]["records"][0]["errors"][0]["code"] == "DDT-101"
    filing = await api.get(f"/v1/customs/filings/{problem['answer']['filingId']}", EVERYONE)
    assert filing.json()["outcome"] == "rejected"  # kept, not dropped


async def test_a_rejected_json_record_carries_the_customs_code_its_xml_receipt_carries(
    api: Api, tag: str
) -> None:
    order = import_set(tag)["order"]
    order.records[0].head["acturalPaid"] = order.records[0].head["acturalPaid"] + 1  # type: ignore[operator]
    path = document_type("CEB311").path  # type: ignore[union-attr]
    json_answer = (await api.post_json(message_json(order), EVERYONE, path)).json()["answer"]["records"][0]
    again = import_set(f"{tag}x")["order"]
    again.records[0].head["acturalPaid"] = again.records[0].head["acturalPaid"] + 1  # type: ignore[operator]
    receipt = etree.fromstring((await api.post_xml(again, EVERYONE, accept="application/xml")).content)
    xml_status = receipt.xpath("ceb:OrderReturn/ceb:returnStatus/text()", namespaces=NS)
    assert (json_answer["errors"][0]["code"], [json_answer["returnStatus"]]) == ("DDT-101", xml_status)


async def test_inventory_receipt_carries_the_platform_pre_entry_number(api: Api, tag: str) -> None:
    inventory = import_set(tag)["inventory"]
    receipt = await api.post_xml(inventory, EVERYONE, accept="application/xml")
    decoded = decode_xml(receipt.content)
    assert decoded.ok and decoded.message is not None and decoded.message_type == "CEB622"
    head = decoded.message.records[0].head
    assert (
        head["returnStatus"] == "2" and str(head["preNo"]).startswith("D") and len(str(head["preNo"])) == 18
    )
    listing = await api.get(f"/v1/customs/documents?businessNo=C{tag}", EVERYONE)
    assert listing.json()["items"][0]["preNo"] == head["preNo"]
