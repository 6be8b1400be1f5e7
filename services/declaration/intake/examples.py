"""OpenAPI and docs examples: a worked filing of every declaration type, as JSON and as XML, and its answer.

The CEB311 example is written out here with its answer in both forms; the other types'
examples are data files (``examples/``, below).

The answer examples are what the service answers to the request examples (the ids and
times differ per filing); tests/declaration/unit/test_openapi_examples.py checks that
each example is still a valid message, answer and receipt.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

CEB311_XML = """<?xml version="1.0" encoding="UTF-8"?>
<ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb"
    guid="DDT00000-0000-4000-8000-000000000101" version="1.0">
  <ceb:Order>
    <ceb:OrderHead>
      <ceb:guid>DDT00000-0000-4000-8000-000000000001</ceb:guid>
      <ceb:appType>1</ceb:appType>
      <ceb:appTime>20240518103000</ceb:appTime>
      <ceb:appStatus>2</ceb:appStatus>
      <ceb:orderType>I</ceb:orderType>
      <ceb:orderNo>DDT20240518000001</ceb:orderNo>
      <ceb:ebpCode>3207960001</ceb:ebpCode>
      <ceb:ebpName>点点通测试平台</ceb:ebpName>
      <ceb:ebcCode>3207960002</ceb:ebcCode>
      <ceb:ebcName>点点通测试电商</ceb:ebcName>
      <ceb:goodsValue>496.50</ceb:goodsValue>
      <ceb:freight>10.00</ceb:freight>
      <ceb:discount>20.00</ceb:discount>
      <ceb:taxTotal>46.10</ceb:taxTotal>
      <ceb:acturalPaid>532.60</ceb:acturalPaid>
      <ceb:currency>142</ceb:currency>
      <ceb:buyerRegNo>U10001</ceb:buyerRegNo>
      <ceb:buyerName>王小明</ceb:buyerName>
      <ceb:buyerTelephone>13812345678</ceb:buyerTelephone>
      <ceb:buyerIdType>1</ceb:buyerIdType>
      <ceb:buyerIdNumber>320703199001011234</ceb:buyerIdNumber>
      <ceb:payCode>3101960003</ceb:payCode>
      <ceb:payName>测试支付</ceb:payName>
      <ceb:payTransactionId>PAY202405180000000001</ceb:payTransactionId>
      <ceb:consignee>王小明</ceb:consignee>
      <ceb:consigneeTelephone>13812345678</ceb:consigneeTelephone>
      <ceb:consigneeAddress>江苏省连云港市海州区朝阳东路1号</ceb:consigneeAddress>
    </ceb:OrderHead>
    <ceb:OrderList>
      <ceb:gnum>1</ceb:gnum>
      <ceb:itemNo>SKU-001</ceb:itemNo>
      <ceb:itemName>婴儿配方奶粉</ceb:itemName>
      <ceb:gmodel>规格</ceb:gmodel>
      <ceb:unit>122</ceb:unit>
      <ceb:qty>2</ceb:qty>
      <ceb:price>188.00</ceb:price>
      <ceb:totalPrice>376.00</ceb:totalPrice>
      <ceb:currency>142</ceb:currency>
      <ceb:country>116</ceb:country>
    </ceb:OrderList>
    <ceb:OrderList>
      <ceb:gnum>2</ceb:gnum>
      <ceb:itemNo>SKU-002</ceb:itemNo>
      <ceb:itemName>面霜</ceb:itemName>
      <ceb:gmodel>规格</ceb:gmodel>
      <ceb:unit>142</ceb:unit>
      <ceb:qty>1</ceb:qty>
      <ceb:price>120.50</ceb:price>
      <ceb:totalPrice>120.50</ceb:totalPrice>
      <ceb:currency>142</ceb:currency>
      <ceb:country>116</ceb:country>
    </ceb:OrderList>
    <ceb:OrderList>
      <ceb:gnum>3</ceb:gnum>
      <ceb:itemNo>SKU-GIFT</ceb:itemNo>
      <ceb:itemName>试用装</ceb:itemName>
      <ceb:gmodel>规格</ceb:gmodel>
      <ceb:unit>142</ceb:unit>
      <ceb:qty>1</ceb:qty>
      <ceb:price>0</ceb:price>
      <ceb:totalPrice>0</ceb:totalPrice>
      <ceb:currency>142</ceb:currency>
      <ceb:country>116</ceb:country>
    </ceb:OrderList>
  </ceb:Order>
  <ceb:BaseTransfer>
    <ceb:copCode>3207960001</ceb:copCode>
    <ceb:copName>点点通测试平台</ceb:copName>
    <ceb:dxpMode>DXP</ceb:dxpMode>
    <ceb:dxpId>DXPENT0000000001</ceb:dxpId>
  </ceb:BaseTransfer>
</ceb:CEB311Message>"""

CEB311_JSON: dict[str, Any] = {
    "messageType": "CEB311",
    "guid": "DDT00000-0000-4000-8000-000000000101",
    "version": "1.0",
    "records": [
        {
            "head": {
                "guid": "DDT00000-0000-4000-8000-000000000001",
                "appType": "1",
                "appTime": "20240518103000",
                "appStatus": "2",
                "orderType": "I",
                "orderNo": "DDT20240518000001",
                "ebpCode": "3207960001",
                "ebpName": "点点通测试平台",
                "ebcCode": "3207960002",
                "ebcName": "点点通测试电商",
                "goodsValue": "496.50",
                "freight": "10.00",
                "discount": "20.00",
                "taxTotal": "46.10",
                "acturalPaid": "532.60",
                "currency": "142",
                "buyerRegNo": "U10001",
                "buyerName": "王小明",
                "buyerTelephone": "13812345678",
                "buyerIdType": "1",
                "buyerIdNumber": "320703199001011234",
                "payCode": "3101960003",
                "payName": "测试支付",
                "payTransactionId": "PAY202405180000000001",
                "consignee": "王小明",
                "consigneeTelephone": "13812345678",
                "consigneeAddress": "江苏省连云港市海州区朝阳东路1号",
            },
            "lines": [
                {
                    "gnum": 1,
                    "itemNo": "SKU-001",
                    "itemName": "婴儿配方奶粉",
                    "gmodel": "规格",
                    "unit": "122",
                    "qty": "2",
                    "price": "188.00",
                    "totalPrice": "376.00",
                    "currency": "142",
                    "country": "116",
                },
                {
                    "gnum": 2,
                    "itemNo": "SKU-002",
                    "itemName": "面霜",
                    "gmodel": "规格",
                    "unit": "142",
                    "qty": "1",
                    "price": "120.50",
                    "totalPrice": "120.50",
                    "currency": "142",
                    "country": "116",
                },
                {
                    "gnum": 3,
                    "itemNo": "SKU-GIFT",
                    "itemName": "试用装",
                    "gmodel": "规格",
                    "unit": "142",
                    "qty": "1",
                    "price": "0",
                    "totalPrice": "0",
                    "currency": "142",
                    "country": "116",
                },
            ],
        }
    ],
    "baseTransfer": {
        "copCode": "3207960001",
        "copName": "点点通测试平台",
        "dxpMode": "DXP",
        "dxpId": "DXPENT0000000001",
    },
}

CEB311_ANSWER: dict[str, Any] = {
    "filingId": "5f0c2a9e-3b1d-4c8e-9a57-2d6e1f4b8c31",
    "messageType": "CEB311",
    "receiptType": "CEB312",
    "guid": "DDT00000-0000-4000-8000-000000000101",
    "accepted": True,
    "acceptedCount": 1,
    "rejectedCount": 0,
    "receivedAt": "2026-11-20T02:30:05.123456+00:00",
    "records": [
        {
            "index": 0,
            "accepted": True,
            "keys": {"orderNo": "DDT20240518000001", "ebpCode": "3207960001"},
            "errors": [],
            "review": [],
            "documentId": "8d3f6b21-7c4e-4a90-b5d2-61e9f0a3c7d4",
            "status": "accepted",
            "action": "created",
            "preNo": "D20261120000000001",
        }
    ],
}

CEB312_RECEIPT = """<?xml version="1.0" encoding="UTF-8"?>
<ceb:CEB312Message xmlns:ceb="http://www.chinaport.gov.cn/ceb"
    guid="A3F1C0D2-5B6E-4F70-8192-A3B4C5D6E7F8" version="1.0">
  <ceb:OrderReturn>
    <ceb:guid>DDT00000-0000-4000-8000-000000000001</ceb:guid>
    <ceb:ebpCode>3207960001</ceb:ebpCode>
    <ceb:ebcCode>3207960002</ceb:ebcCode>
    <ceb:orderNo>DDT20240518000001</ceb:orderNo>
    <ceb:returnStatus>2</ceb:returnStatus>
    <ceb:returnTime>20261120103005123</ceb:returnTime>
    <ceb:returnInfo>新增申报成功[DDT00000-0000-4000-8000-000000000001]</ceb:returnInfo>
  </ceb:OrderReturn>
</ceb:CEB312Message>"""


# --- one worked example per declaration type --------------------------------------------------
#
# ``examples/CEBnnn.json`` is a complete, valid filing of each enterprise-sent type in the JSON
# message form, with the demo parties' codes (3207960001 platform, 3207960002 merchant …). The
# XML example is the same message rendered by the XML codec, so the two cannot drift apart.
# tests/declaration/service/test_examples.py files every one (JSON and XML) and sees it
# accepted; docs/declaration-examples.md shows them (and a test keeps it in step).

EXAMPLES_DIR = Path(__file__).with_name("examples")


@cache
def json_example(message_type: str) -> dict[str, Any]:
    """The worked JSON example of a declaration type (the message form)."""
    if message_type == "CEB311":
        return CEB311_JSON
    data: dict[str, Any] = json.loads((EXAMPLES_DIR / f"{message_type}.json").read_text(encoding="utf-8"))
    return data


def example_types() -> tuple[str, ...]:
    """Every declaration type that has a worked example."""
    return tuple(sorted({"CEB311", *(path.stem for path in EXAMPLES_DIR.glob("CEB*.json"))}))


@cache
def xml_example(message_type: str) -> str:
    """The same example as CEB XML; types whose XSD requires ``ds:Signature`` carry a placeholder.

    The placeholder shows where the enterprise's signature goes; it is structurally valid, and
    the platform re-signs what it sends to customs (``platform_signs_outbound``).
    """
    from services.declaration.ceb.catalogue import SignatureRule, spec_for
    from services.declaration.ceb.json_codec import message_from_json
    from services.declaration.ceb.xml_codec import encode_xml
    from services.declaration.intake.parsing import PLACEHOLDER_SIGNATURE

    if message_type == "CEB311":
        return CEB311_XML
    decoded = message_from_json(json_example(message_type))
    assert decoded.message is not None, decoded.issues
    message = decoded.message
    spec = spec_for(message_type)
    if spec is not None and spec.signature is SignatureRule.REQUIRED and message.signature is None:
        message.signature = PLACEHOLDER_SIGNATURE
    return encode_xml(message).decode("utf-8")


def answer_example(message_type: str) -> dict[str, Any]:
    """The 200 answer to the example (ids and times differ per filing)."""
    from services.declaration.ceb.catalogue import spec_for

    if message_type == "CEB311":
        return CEB311_ANSWER
    spec = spec_for(message_type)
    assert spec is not None
    data = json_example(message_type)
    head = data["records"][0]["head"]
    return {
        **CEB311_ANSWER,
        "messageType": message_type,
        "receiptType": spec.answered_by,
        "guid": data["guid"],
        "records": [
            {
                **CEB311_ANSWER["records"][0],
                "keys": {name: head[name] for name in spec.key_fields if name in head},
                "status": "waiting" if message_type in {"CEB621", "CEB603"} else "accepted",
            }
        ],
    }
