"""Every official 202205 sample through the HTTP API (customs-domain.md §5.1).

Valid declarations are accepted given an identity owning their codes; the samples that
break the schema get a CEB900 naming the element, the ones that break business rules
are rejected at the right field with the right code, receipts are refused as not
being declarations. Several samples repeat the same record: the repeats are rejected
as duplicates (with customs' code where one exists) and the first copy is accepted.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from services.declaration.prechecks.ownership import CODE_FIELDS
from tests.declaration.service.conftest import OFFICIAL, Api
from tests.declaration.service.factory import party

SAMPLES = sorted(OFFICIAL.glob("*/*.xml"))
RECEIPTS = {
    "312",
    "412",
    "512",
    "514",
    "622",
    "624",
    "626",
    "712",
    "304",
    "404",
    "506",
    "508",
    "510",
    "604",
    "606",
    "608",
    "702",
    "216",
}
SCHEMA_INVALID = {
    "303": "ceb:BaseTransfer",
    "403": "ceb:BaseTransfer",
    "505": "ceb:BaseTransfer",
    "507": "ceb:BaseTransfer",
    "509": "ceb:BaseTransfer",
    "603": "ceb:BaseTransfer",
    "605": "ceb:BaseTransfer",
    "607": "ceb:BaseTransfer",
    "792": "ceb:gnum",
}
#: Business-invalid samples: the code every record is rejected with, and where.
BUSINESS_INVALID = {
    "311": ("DDT-102", "/lines/1/totalPrice"),  # line 2: totalPrice 12000 ≠ 200 × 10
    "511": ("DDT-105", "/head/packNo"),  # packNo 6000, the spec fixes 1
    "513": ("DDT-117", "/head/logisticsStatus"),  # status R, the spec fixes S
    "621": ("DDT-102", "/lines/0/totalPrice"),  # totalPrice 20 ≠ 100 × 20 (and packNo, qty1)
    "215": ("DDT-125", "/guid"),  # lower-case message guid (XSD: 英文字母大写)
    "701": ("DDT-125", "/guid"),
}
#: Valid samples: which records are accepted; the others repeat an earlier record's key.
ACCEPTED = {"411": {0, 1}, "623": {0, 1}, "625": {0}, "711": {0}, "213": {0, 1}}
DUPLICATE_CODE = {"411": "-401007", "623": "DDT-203", "625": "-625033", "213": "DDT-203"}


def owner_of_codes(data: bytes) -> object:
    """An identity owning every enterprise code the sample names."""
    root = etree.fromstring(data)
    codes = {
        element.text.strip()
        for element in root.iter()
        if isinstance(element.tag, str)
        and etree.QName(element).localname in {*CODE_FIELDS, "copCode"}
        and element.text
        and element.text.strip()
    }
    return party("official-sample-owner", *((code, []) for code in sorted(codes)))


def _number(path: Path) -> str:
    match = re.search(r"CEB(\d{3})", path.name)
    assert match
    return match.group(1)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: f"{p.parent.name}-{p.stem}")
async def test_official_sample(api: Api, path: Path) -> None:
    data = path.read_bytes()  # noqa: ASYNC240 — a small local fixture
    number = _number(path)
    response = await api.post_xml(data, owner_of_codes(data))  # type: ignore[arg-type]
    body = response.json()
    if number in RECEIPTS:
        assert response.status_code == 422, body
        assert body["code"] == "declaration.not_a_declaration"
    elif number == "214":
        # Published with root ceb:CEB214 instead of ceb:CEB214Message: not a CEB message at all.
        assert response.status_code == 400, body
        assert body["code"] == "declaration.xml_rejected"
        assert body["errors"][0]["code"] == "DDT-X07"
    elif number in SCHEMA_INVALID:
        assert response.status_code == 422, body
        assert body["code"] == "declaration.schema_invalid"
        assert {e["code"] for e in body["errors"]} == {"0002"}
        assert SCHEMA_INVALID[number] in {e.get("element") for e in body["errors"]}
        receipt = await api.post_xml(data, owner_of_codes(data), accept="application/xml")  # type: ignore[arg-type]
        assert receipt.status_code == 422
        root = etree.fromstring(receipt.content)
        ns = {"ceb": "http://www.chinaport.gov.cn/ceb"}
        assert root.findtext("ceb:MessageReturn/ceb:returnStatus", namespaces=ns) == "-2"
        assert root.findtext("ceb:MessageReturn/ceb:oriMessageType", namespaces=ns) == f"CEB{number}Message"
        assert SCHEMA_INVALID[number] in root.findtext("ceb:MessageReturn/ceb:returnInfo", namespaces=ns)
    elif number in BUSINESS_INVALID:
        code, where = BUSINESS_INVALID[number]
        assert response.status_code == 422, body
        assert body["code"] == "declaration.rejected"
        for record in body["answer"]["records"]:
            assert not record["accepted"]
            pointer = where if where.startswith("/guid") else f"/records/{record['index']}{where}"
            assert {"code": code, "pointer": pointer} in [
                {"code": e["code"], "pointer": e["pointer"]} for e in record["errors"]
            ], record["errors"]
    else:
        assert response.status_code == 200, body
        accepted = {r["index"] for r in body["records"] if r["accepted"]}
        assert accepted == ACCEPTED[number]
        for record in body["records"]:
            if not record["accepted"]:
                assert [e["code"] for e in record["errors"]] == [DUPLICATE_CODE[number]]


def test_every_sample_is_covered() -> None:
    numbers = {_number(p) for p in SAMPLES}
    covered = RECEIPTS | set(SCHEMA_INVALID) | set(BUSINESS_INVALID) | set(ACCEPTED) | {"214"}
    assert numbers == covered
