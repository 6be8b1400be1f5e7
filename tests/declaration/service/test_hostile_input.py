"""Hostile and malformed bodies get a precise answer — never a 500, never a parsed entity."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from lxml import etree

from services.declaration.ceb.xml_codec import encode_xml
from tests.declaration.service.conftest import Api, message_json
from tests.declaration.service.factory import EVERYONE, import_set, with_records

CEB = "http://www.chinaport.gov.cn/ceb"
NS = {"ceb": CEB}
ORDERS = "/v1/customs/import/orders"


def _order_xml(tag: str) -> bytes:
    return encode_xml(import_set(tag)["order"])


XXE = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    b'<ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" guid="X" version="1.0">'
    b"&x;</ceb:CEB311Message>"
)
BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b']>\n<ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb">&lol9;</ceb:CEB311Message>'
)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (XXE, "DDT-X03"),
        (BILLION_LAUGHS, "DDT-X03"),
        (b"", "DDT-X00"),
        (b"this is not XML", "0001"),
        (
            b"<ceb:CEB311Message xmlns:ceb='http://www.chinaport.gov.cn/ceb'><unclosed></ceb:CEB311Message>",
            "0001",
        ),
        ('<?xml version="1.0" encoding="UTF-8"?><r>订单</r>'.encode("gbk"), "DDT-X04"),
        ('<?xml version="1.0" encoding="GBK"?><r>订单</r>'.encode("gbk"), "DDT-X05"),
        (b"<a>" * 5000 + b"</a>" * 5000, "DDT-X02"),
        (b'<Order xmlns="urn:not-customs"/>', "DDT-X06"),
        (b'<ceb:CEB999Message xmlns:ceb="http://www.chinaport.gov.cn/ceb"/>', "DDT-X07"),
    ],
    ids=[
        "xxe",
        "billion-laughs",
        "empty",
        "not-xml",
        "not-well-formed",
        "gbk-under-utf8",
        "gbk-declared",
        "deep-nesting",
        "foreign-namespace",
        "unknown-message",
    ],
)
async def test_hostile_xml_is_refused_precisely(api: Api, body: bytes, code: str) -> None:
    response = await api.post_xml(body, EVERYONE)
    assert response.status_code == 400, response.text
    problem = response.json()
    assert problem["code"] == "declaration.xml_rejected"
    assert [e["code"] for e in problem["errors"]] == [code]
    assert "root:" not in response.text  # no /etc/passwd, no expansion echoed
    receipt = await api.post_xml(body, EVERYONE, accept="application/xml")
    assert receipt.status_code == 400
    root = etree.fromstring(receipt.content)
    assert root.findtext("ceb:MessageReturn/ceb:returnStatus", namespaces=NS) == "-1"
    assert code in root.findtext("ceb:MessageReturn/ceb:returnInfo", namespaces=NS)


async def test_deep_nesting_inside_a_real_message_is_refused(api: Api, tag: str) -> None:
    body = _order_xml(tag).replace(
        b"</ceb:OrderHead>", b"<ceb:x>" + b"<y>" * 200 + b"</y>" * 200 + b"</ceb:x></ceb:OrderHead>"
    )
    response = await api.post_xml(body, EVERYONE)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "DDT-X02"


async def test_fifty_megabytes_get_413_whether_announced_or_streamed(api: Api) -> None:
    big = b"<a>" + b"x" * (50 * 1024 * 1024) + b"</a>"
    announced = await api.post_xml(big, EVERYONE)
    assert announced.status_code == 413
    assert announced.json()["code"] == "request.body_too_large"

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(50):
            yield b"x" * (1024 * 1024)

    headers = {"content-type": "application/xml"}
    from tests.support.services import identity_headers

    headers.update(identity_headers(EVERYONE, "declaration", "POST", "/v1/customs/messages"))
    streamed = await api.client.post("/v1/customs/messages", content=chunks(), headers=headers)
    assert streamed.status_code == 413
    assert streamed.json()["code"] == "request.body_too_large"


async def test_the_body_limit_fits_a_hundred_record_message(api: Api, tag: str) -> None:
    assert api.settings.max_body_bytes >= 16 * 1024 * 1024
    message = with_records(import_set(tag)["order"], 100, tag)
    response = await api.post_xml(message, EVERYONE)
    assert response.status_code == 200, response.text[:500]
    assert response.json()["acceptedCount"] == 100


async def test_a_hundred_and_one_records_break_the_schema(api: Api, tag: str) -> None:
    message = with_records(import_set(tag)["order"], 101, tag)
    response = await api.post_xml(message, EVERYONE)
    assert response.status_code == 422
    assert response.json()["code"] == "declaration.schema_invalid"
    assert "ceb:Order" in response.json()["errors"][0]["message"]


async def test_wrong_content_type_is_415(api: Api) -> None:
    response = await api.request("POST", ORDERS, EVERYONE, content=b"hello", content_type="text/plain")
    assert response.status_code == 415


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"head": {}, "head": {}}', "appears twice"),
        (b'{"head": {"goodsValue": NaN}}', "NaN is not a JSON number"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        ('{"head": {"orderNo": "订单"}}'.encode("gbk"), "not UTF-8"),
        (b"   ", "empty"),
    ],
    ids=["syntax", "duplicate-member", "nan", "deep-nesting", "gbk", "empty"],
)
async def test_undecodable_json_is_400(api: Api, body: bytes, fragment: str) -> None:
    response = await api.post_json(body, EVERYONE, ORDERS)
    assert response.status_code == 400, response.text
    problem = response.json()
    assert problem["code"] == "declaration.json_rejected"
    assert problem["errors"][0]["code"] == "DDT-J00"
    assert fragment in problem["errors"][0]["message"]


async def test_json_that_does_not_map_onto_the_message_points_at_each_member(api: Api, tag: str) -> None:
    data = message_json(import_set(tag)["order"])
    record = data["records"][0]
    record["head"]["goodsValue"] = 496.5  # a JSON number: money must travel as a decimal string
    record["head"]["colour"] = "red"
    record["lines"][0]["qty"] = "two"
    response = await api.post_json(data, EVERYONE, ORDERS)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "declaration.schema_invalid"
    found = {(e["code"], e["pointer"]) for e in problem["errors"]}
    assert ("DDT-J02", "/records/0/head/goodsValue") in found
    assert ("DDT-J01", "/records/0/head/colour") in found
    assert ("DDT-J02", "/records/0/lines/0/qty") in found


async def test_json_failing_the_xsd_names_the_json_member(api: Api, tag: str) -> None:
    data = message_json(import_set(tag)["order"])
    data["records"][0]["head"]["orderNo"] = "X" * 61  # C..60
    response = await api.post_json(data, EVERYONE, ORDERS)
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert (error["code"], error["pointer"]) == ("0002", "/records/0/head/orderNo")
    # The platform's internal XML is not the filer's: no element or line of it is quoted.
    assert "element" not in error and "line" not in error


async def test_control_characters_in_json_strings_are_refused_at_the_member(api: Api, tag: str) -> None:
    data = message_json(import_set(tag)["order"])
    data["records"][0]["head"]["note"] = "bell\x07"
    response = await api.post_json(data, EVERYONE, ORDERS)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "code": "DDT-J02",
            "message": "contains characters XML cannot carry (control characters)",
            "pointer": "/records/0/head/note",
            "severity": "error",
            "detail": "contains characters XML cannot carry (control characters)",
        }
    ]


async def test_hostile_xml_embedded_in_json_is_refused(api: Api, tag: str) -> None:
    data = message_json(import_set(tag)["order"])
    data["signature"] = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    response = await api.post_json(data, EVERYONE, ORDERS)
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/signature"
    assert response.json()["errors"][0]["code"] == "DDT-X03"


async def test_a_receipt_is_not_a_declaration(api: Api) -> None:
    body = json.dumps({"messageType": "CEB312", "records": []}).encode()
    response = await api.post_json(body, EVERYONE, "/v1/customs/messages")
    assert response.status_code == 422


async def test_a_message_on_the_wrong_resource_is_refused(api: Api, tag: str) -> None:
    response = await api.post_xml(import_set(tag)["waybill"], EVERYONE, path=ORDERS)
    assert response.status_code == 422
    assert response.json()["code"] == "declaration.wrong_message_type"
    assert response.json()["errors"][0]["code"] == "DDT-209"


async def test_refused_filings_are_kept_for_audit(api: Api) -> None:
    response = await api.post_xml(XXE, EVERYONE)
    filing_id = response.json()["filingId"]
    filing = await api.get(f"/v1/customs/filings/{filing_id}", EVERYONE)
    assert filing.status_code == 200
    assert filing.json()["outcome"] == "format_error"
    original = await api.get(f"/v1/customs/filings/{filing_id}/original", EVERYONE)
    assert original.content == XXE


async def test_a_receipt_id_beyond_64_bits_is_a_422_at_the_parameter(api: Api) -> None:
    # SQLite cannot bind an int past 64 bits: without the bound this was a 500 (fuzzing, ST101).
    response = await api.get("/v1/customs/receipts/32118818372474691737043945390080", EVERYONE)
    assert (response.status_code, response.json()["errors"][0]["pointer"]) == (422, "/path/receipt_id")
