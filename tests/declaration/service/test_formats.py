"""One internal model for both formats: XML in → JSON out → XSD-valid XML again, and JSON in the same way."""

from __future__ import annotations

import copy
import json

from services.declaration.ceb.json_codec import message_to_json
from services.declaration.ceb.xml_codec import decode_xml, encode_xml
from tests.declaration.service.conftest import Api, message_json
from tests.declaration.service.factory import EVERYONE, export_set, import_set, signed


def _bare(data: dict) -> dict:  # type: ignore[type-arg]
    """The bare-record form of a message's JSON: its one record and the blocks a filer sends."""
    blocks = {k: data[k] for k in ("baseTransfer", "baseSubscribe", "extendMessage") if k in data}
    return {**data["records"][0], **blocks}


async def _file(api: Api, response_json: dict) -> str:  # type: ignore[type-arg]
    assert response_json["records"][0]["accepted"], response_json
    return str(response_json["records"][0]["documentId"])


async def test_xml_reads_back_as_json_and_regenerates_as_the_same_valid_xml(api: Api, tag: str) -> None:
    for message in (*import_set(tag, "9610").values(), *export_set(tag, "9810").values()):
        original = encode_xml(message)
        document_id = await _file(api, (await api.post_xml(original, EVERYONE)).json())
        view = await api.document(document_id, EVERYONE)
        assert view["record"] == _bare(message_to_json(message))
        regenerated = await api.get(
            f"/v1/customs/documents/{document_id}", EVERYONE, accept="application/xml"
        )
        assert regenerated.status_code == 200
        decoded = decode_xml(regenerated.content)
        assert decoded.ok, decoded.issues
        assert decoded.message == message  # records, BaseTransfer, signature: nothing lost
        kept = await api.get(f"/v1/customs/filings/{view['filingId']}/original", EVERYONE)
        assert kept.content == original  # the bytes as received, verbatim


async def test_json_filed_on_a_resource_is_the_same_document(api: Api, tag: str) -> None:
    documents = import_set(tag, "1210")
    order = message_json(documents["order"])
    bare = {
        "head": order["records"][0]["head"],
        "lines": order["records"][0]["lines"],
        "baseTransfer": order["baseTransfer"],
    }
    response = await api.post_json(bare, EVERYONE, "/v1/customs/import/orders")
    assert response.status_code == 200, response.text
    document_id = await _file(api, response.json())
    view = await api.document(document_id, EVERYONE)
    assert view["record"] == bare
    regenerated = await api.get(
        f"/v1/customs/import/orders/{document_id}", EVERYONE, accept="application/xml"
    )
    decoded = decode_xml(regenerated.content)
    assert decoded.ok and decoded.message is not None
    assert decoded.message.records == documents["order"].records
    assert (await api.get(f"/v1/customs/export/orders/{document_id}", EVERYONE)).status_code == 404


async def test_json_message_form_with_message_type_on_the_generic_endpoint(api: Api, tag: str) -> None:
    data = message_json(export_set(tag, "9710")["inventory"])
    response = await api.post_json(data, EVERYONE, "/v1/customs/messages")
    assert response.status_code == 200, response.text
    assert response.json()["messageType"] == "CEB603" and response.json()["receiptType"] == "CEB604"


async def test_unsigned_json_inventory_is_accepted_because_the_platform_signs(api: Api, tag: str) -> None:
    inventory = import_set(tag, "1210")["inventory"]
    data = message_json(inventory)
    data.pop("signature")
    response = await api.post_json(data, EVERYONE, "/v1/customs/import/inventories")
    assert response.status_code == 200, response.text
    # As XML the official XSD requires ds:Signature on CEB621: the XML intake keeps to it.
    unsigned = copy.deepcopy(inventory)
    unsigned.signature = None
    unsigned.records[0].head["copNo"] = f"U{tag}"
    response = await api.post_xml(unsigned, EVERYONE, path="/v1/customs/import/inventories")
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["code"] == "0002" and "ds:Signature" in error["message"]
    assert (await api.post_xml(signed(unsigned), EVERYONE)).status_code == 200


async def test_answers_json_by_default_and_xml_when_asked(api: Api, tag: str) -> None:
    documents = import_set(tag)
    as_json = await api.post_xml(
        documents["order"], EVERYONE, accept="application/json, application/xml;q=0.5"
    )
    assert as_json.headers["content-type"] == "application/json"
    as_xml = await api.post_json(
        message_json(documents["payment"]), EVERYONE, "/v1/customs/import/payments", accept="text/xml"
    )
    assert as_xml.headers["content-type"].startswith("application/xml")
    decoded = decode_xml(as_xml.content)
    assert decoded.ok and decoded.message_type == "CEB412"
    assert (
        json.loads(json.dumps(message_to_json(decoded.message)))["records"][0]["head"]["returnStatus"] == "2"
    )


async def test_the_json_read_back_of_an_xml_filing_files_as_it_stands(api: Api, tag: str) -> None:
    """Issue 13 §4: the read-back carries baseTransfer, so filing it (here as an amendment) is accepted."""
    order = import_set(tag, "1210")["order"]
    document_id = await _file(api, (await api.post_xml(order, EVERYONE)).json())
    record = (await api.document(document_id, EVERYONE))["record"]
    assert record["baseTransfer"]["copCode"] == order.base_transfer["copCode"]  # type: ignore[index]
    record["head"]["appType"] = "2"
    record["head"]["note"] = "read back and filed again"
    response = await api.post_json(record, EVERYONE, "/v1/customs/import/orders")
    assert response.status_code == 200, response.text
    assert response.json()["records"][0]["accepted"], response.text
    assert (await api.document(document_id, EVERYONE))["revision"] == 2


async def test_json_schema_errors_name_the_json_member_not_internal_xml(api: Api, tag: str) -> None:
    bare = _bare(message_json(import_set(tag, "1210")["order"]))
    without_transfer = {k: v for k, v in bare.items() if k != "baseTransfer"}
    response = await api.post_json(without_transfer, EVERYONE, "/v1/customs/import/orders")
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["pointer"] == "/baseTransfer" and "baseTransfer is required" in error["message"]

    no_guid = copy.deepcopy(bare)
    del no_guid["head"]["guid"]
    [error] = (await api.post_json(no_guid, EVERYONE, "/v1/customs/import/orders")).json()["errors"]
    assert error["pointer"] == "/records/0/head/guid" and error["message"].startswith("guid is required")
    assert "appType" not in error["message"]

    too_long = copy.deepcopy(bare)
    too_long["head"]["orderNo"] = "N" * 61
    response = await api.post_json(too_long, EVERYONE, "/v1/customs/import/orders")
    [error] = response.json()["errors"]
    assert error["code"] == "0002" and error["pointer"] == "/records/0/head/orderNo"
    assert error["message"].startswith("/records/0/head/orderNo: ") and "ceb:" not in error["message"]
    assert "line" not in error and "element" not in error  # lines of XML the filer never wrote

    receipt = await api.post_json(too_long, EVERYONE, "/v1/customs/import/orders", accept="application/xml")
    info = decode_xml(receipt.content)
    assert info.ok and info.message is not None, info.issues
    return_info = str(info.message.records[0].head["returnInfo"])
    assert "member /records/0/head/orderNo" in return_info and "line " not in return_info
