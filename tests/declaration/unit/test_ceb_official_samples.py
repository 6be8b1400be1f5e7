"""Official 202205 samples: valid ones round-trip losslessly, invalid ones fail for the right reason."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from services.declaration.ceb import codes
from services.declaration.ceb.json_codec import message_from_json, message_to_json
from services.declaration.ceb.xml_codec import decode_xml, encode_xml
from services.declaration.prechecks.rules import check_message
from tests.declaration.unit.ceb_testdata import OFFICIAL, drop_duplicate_base_transfer, official_bytes

IMPORT_CODES = [
    "311",
    "312",
    "411",
    "412",
    "511",
    "512",
    "513",
    "514",
    "621",
    "622",
    "623",
    "624",
    "625",
    "626",
    "711",
    "712",
]
VALID_EXPORT = ["213", "215", "216", "304", "404", "506", "508", "510", "604", "606", "608", "701", "702"]
DUPLICATE_BASE_TRANSFER = ["303", "403", "505", "507", "509", "603", "605", "607"]
VALID = [("import", f"CEB{c}") for c in IMPORT_CODES] + [("export", f"CEB{c}") for c in VALID_EXPORT]


def leaf_infoset(data: bytes) -> list[tuple[str, str]]:
    """(path, text) of every CEB leaf plus root attributes — what a lossless round-trip must keep."""
    root = etree.fromstring(data)
    leaves = [("@guid", root.get("guid")), ("@version", root.get("version"))]
    for element in root.iter(etree.Element):
        if etree.QName(element).localname in {"Signature", "Message"}:
            continue
        if any(etree.QName(a).localname in {"Signature", "Message"} for a in element.iterancestors()):
            continue
        if len(element) == 0:
            leaves.append((_path(element), element.text or ""))
    return leaves


def _path(element: etree._Element) -> str:
    # Prefix-independent: the samples mix ceb: prefixes and default namespaces.
    steps = []
    node: etree._Element | None = element
    while node is not None:
        position = sum(1 for s in node.itersiblings(preceding=True) if s.tag == node.tag)
        steps.append(f"{etree.QName(node).localname}[{position}]")
        node = node.getparent()
    return "/" + "/".join(reversed(steps))


@pytest.mark.parametrize(("direction", "code"), VALID)
def test_valid_official_sample_passes_the_xsd(direction: str, code: str) -> None:
    assert decode_xml(official_bytes(direction, code)).ok


@pytest.mark.parametrize(("direction", "code"), VALID)
def test_valid_official_sample_round_trips_losslessly_through_model_and_json(
    direction: str, code: str
) -> None:
    original = official_bytes(direction, code)
    message = decode_xml(original).message
    assert message is not None
    via_json = message_from_json(json.loads(json.dumps(message_to_json(message), ensure_ascii=False)))
    assert via_json.message == message
    regenerated = encode_xml(via_json.message)
    again = decode_xml(regenerated)
    assert again.ok and again.message == message
    assert leaf_infoset(regenerated) == leaf_infoset(original)


def test_signature_element_survives_a_round_trip_verbatim() -> None:
    message = decode_xml(official_bytes("import", "CEB621")).message
    assert message is not None and message.signature is not None
    assert decode_xml(encode_xml(message)).message.signature == message.signature


def test_regenerated_export_message_puts_signature_before_extend_message() -> None:
    message = decode_xml(official_bytes("export", "CEB213")).message
    message.signature = (
        '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>'
        '<ds:CanonicalizationMethod Algorithm="c14n"/><ds:SignatureMethod Algorithm="sm2"/>'
        '<ds:Reference><ds:DigestMethod Algorithm="sm3"/><ds:DigestValue>AA==</ds:DigestValue></ds:Reference>'
        "</ds:SignedInfo><ds:SignatureValue>AA==</ds:SignatureValue></ds:Signature>"
    )
    from services.declaration.ceb.model import ExtendMessage

    message.extend_message = ExtendMessage("ext", "1.0", "<x/>")
    regenerated = encode_xml(message)
    names = [etree.QName(child).localname for child in etree.fromstring(regenerated)][-2:]
    assert names == ["Signature", "ExtendMessage"] and decode_xml(regenerated).ok


@pytest.mark.parametrize("code", DUPLICATE_BASE_TRANSFER)
def test_export_sample_with_two_base_transfers_is_rejected_by_the_schema_at_the_second(code: str) -> None:
    result = decode_xml(official_bytes("export", f"CEB{code}"))
    assert [(i.code, i.element) for i in result.issues] == [(codes.SCHEMA_INVALID, "ceb:BaseTransfer")]


def test_ceb792_sample_is_rejected_for_missing_gseqno() -> None:
    result = decode_xml(official_bytes("export", "CEB792"))
    assert result.issues and all("gseqno" in issue.message for issue in result.issues)


def test_ceb214_sample_is_rejected_for_its_wrong_root_name() -> None:
    result = decode_xml(official_bytes("export", "CEB214"))
    assert [(i.code, i.element) for i in result.issues] == [(codes.XML_UNKNOWN_MESSAGE, "ceb:CEB214")]


def _business_issues(data: bytes) -> set[tuple[str, str]]:
    message = decode_xml(data).message
    assert message is not None
    return {(issue.code, issue.pointer or "") for issue in check_message(message)}


def test_ceb311_sample_line_two_total_is_caught_by_the_line_total_rule() -> None:
    issues = _business_issues(official_bytes("import", "CEB311"))
    assert (codes.LINE_TOTAL, "/records/0/lines/1/totalPrice") in issues


def test_ceb511_sample_pack_no_6000_is_caught_by_the_pack_no_rule() -> None:
    assert (codes.PACK_NO, "/records/0/head/packNo") in _business_issues(official_bytes("import", "CEB511"))


def test_ceb513_sample_logistics_status_r_is_caught() -> None:
    issues = _business_issues(official_bytes("import", "CEB513"))
    assert (codes.LOGISTICS_STATUS, "/records/0/head/logisticsStatus") in issues


def test_ceb603_sample_ie_flag_and_trade_mode_are_caught_once_repaired() -> None:
    issues = _business_issues(drop_duplicate_base_transfer(official_bytes("export", "CEB603")))
    assert {
        (codes.IE_FLAG, "/records/0/head/ieFlag"),
        (codes.TRADE_MODE, "/records/0/head/tradeMode"),
    } <= issues


def test_ceb303_sample_unit_and_currency_aaa_are_caught_once_repaired() -> None:
    issues = _business_issues(drop_duplicate_base_transfer(official_bytes("export", "CEB303")))
    assert {
        (codes.CODE_FORMAT, "/records/0/lines/0/unit"),
        (codes.CODE_FORMAT, "/records/0/lines/0/currency"),
    } <= issues


def test_every_official_sample_file_is_covered() -> None:
    covered = {f"import/{c}" for _, c in VALID if _ == "import"} | {
        f"export/{c}" for _, c in VALID if _ == "export"
    }
    covered |= {f"export/CEB{c}" for c in [*DUPLICATE_BASE_TRANSFER, "792", "214"]}
    on_disk = {f"{p.parent.name}/{p.stem.removesuffix('Message')}" for p in OFFICIAL.glob("*/*.xml")}
    assert on_disk == covered


def test_a_summary_not_grouped_by_item_name_passes_the_schema_and_the_rules() -> None:
    """itemNameFlag "0": the XSD wants one character where the annotation says "leave blank"."""
    data = official_bytes("export", "CEB701").replace(
        b"<ceb:itemNameFlag>1</ceb:itemNameFlag>", b"<ceb:itemNameFlag>0</ceb:itemNameFlag>"
    )
    assert ("DDT-118", "/records/0/head/itemNameFlag") not in _business_issues(data)
