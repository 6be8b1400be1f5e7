"""Customs-style answers (JSON and receipt XML), CEB900 format receipts, and receipt events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from itertools import count

from lxml import etree

from services.declaration.ceb import codes
from services.declaration.ceb.issues import Issue
from services.declaration.ceb.model import CebMessage
from services.declaration.ceb.receipt_events import parse_receipt
from services.declaration.ceb.receipts import build_answer, render_format_receipt, render_receipt
from services.declaration.ceb.xml_codec import decode_xml
from services.declaration.prechecks.rules import check_message
from tests.declaration.unit.ceb_testdata import official_bytes

Linked = Callable[[str], dict[str, CebMessage]]
NOW = datetime(2024, 5, 18, 4, 0, 0, 123000, tzinfo=UTC)  # 12:00:00.123 in Beijing
CEB = "{http://www.chinaport.gov.cn/ceb}"


def guids() -> Callable[[], str]:
    counter = count(1)
    return lambda: f"R0000000-0000-4000-8000-{next(counter):012d}"


def test_clean_order_is_answered_accepted_with_status_2(linked: Linked) -> None:
    order = linked("1210")["order"]
    rendered = render_receipt(build_answer(order, check_message(order)), order, NOW, guid_factory=guids())
    head = rendered.message.records[0].head
    assert (rendered.message.message_type, head["returnStatus"], head["returnInfo"]) == (
        "CEB312",
        "2",
        f"新增申报成功[{order.records[0].head['guid']}]",
    )


def test_receipt_xml_is_schema_valid_ceb312(linked: Linked) -> None:
    order = linked("1210")["order"]
    rendered = render_receipt(build_answer(order, []), order, NOW, guid_factory=guids())
    assert rendered.schema_issues == () and decode_xml(rendered.xml).ok


def test_receipt_time_is_beijing_time_with_milliseconds(linked: Linked) -> None:
    order = linked("1210")["order"]
    rendered = render_receipt(build_answer(order, []), order, NOW, guid_factory=guids())
    assert rendered.message.records[0].head["returnTime"] == "20240518120000123"


def test_rejected_record_carries_every_error_with_code_pointer_and_message(linked: Linked) -> None:
    order = linked("1210")["order"]
    order.records[0].head["acturalPaid"] = Decimal("1")
    order.records[0].head["currency"] = "502"
    answer = build_answer(order, check_message(order))
    verdict = answer.to_dict()["records"][0]
    assert verdict["accepted"] is False and {e["code"] for e in verdict["errors"]} == {
        codes.ACTURAL_PAID,
        codes.IMPORT_CURRENCY,
    }


def test_rejected_order_receipt_uses_the_order_validation_family_status(linked: Linked) -> None:
    order = linked("1210")["order"]
    order.records[0].head["acturalPaid"] = Decimal("1")
    rendered = render_receipt(build_answer(order, check_message(order)), order, NOW, guid_factory=guids())
    head = rendered.message.records[0].head
    assert head["returnStatus"] == "-301008" and "/records/0/head/acturalPaid" in head["returnInfo"]


def test_rejection_with_a_customs_code_uses_that_code_as_status(linked: Linked) -> None:
    inventory = linked("1210")["inventory"]
    inventory.records[0].lines[0].update(price=Decimal("3000"), totalPrice=Decimal("6000"))
    answer = build_answer(inventory, check_message(inventory))
    rendered = render_receipt(answer, inventory, NOW, {0: {"preNo": "B20240518000000001"}}, guids())
    assert (
        rendered.message.records[0].head["returnStatus"] == codes.SINGLE_LIMIT
        and rendered.schema_issues == ()
    )


def test_review_flags_do_not_reject(linked: Linked) -> None:
    order = linked("1210")["order"]
    review = Issue(codes.GOODS_VALUE_SUM, "flag", "/records/0/head/goodsValue", severity="review")  # type: ignore[arg-type]
    assert build_answer(order, [review]).all_accepted


def test_message_level_issue_rejects_every_record(linked: Linked) -> None:
    order = linked("1210")["order"]
    order.records.append(order.records[0])
    answer = build_answer(order, [Issue(codes.GUID_FORMAT, "guid", "/guid")])
    assert [v.accepted for v in answer.verdicts] == [False, False]


def test_customs_only_fields_missing_are_reported_not_hidden(linked: Linked) -> None:
    inventory = linked("1210")["inventory"]
    rendered = render_receipt(build_answer(inventory, []), inventory, NOW, guid_factory=guids())
    assert any(issue.element == "ceb:preNo" for issue in rendered.schema_issues)


def test_format_receipt_for_a_schema_failure_is_a_valid_ceb900_with_status_minus_2() -> None:
    original = official_bytes("export", "CEB303")
    result = decode_xml(original)
    xml = render_format_receipt(original, result.issues, NOW, "COPMSG-1", result.message_type, guids())
    body = etree.fromstring(xml).find(f"{CEB}MessageReturn")
    assert decode_xml(xml).ok and (
        body.findtext(f"{CEB}returnStatus"),
        body.findtext(f"{CEB}oriMessageType"),
    ) == (
        "-2",
        "CEB303Message",
    )


def test_format_receipt_names_the_offending_element() -> None:
    original = official_bytes("export", "CEB303")
    result = decode_xml(original)
    xml = render_format_receipt(original, result.issues, NOW, "COPMSG-1", result.message_type, guids())
    assert "ceb:BaseTransfer" in etree.fromstring(xml).findtext(f"{CEB}MessageReturn/{CEB}returnInfo")


def test_format_receipt_for_unparseable_bytes_is_unknown_type_with_status_minus_1() -> None:
    original = b"<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>\x00"
    result = decode_xml(original)
    xml = render_format_receipt(original, result.issues, NOW, "COPMSG-2", result.message_type, guids())
    body = etree.fromstring(xml).find(f"{CEB}MessageReturn")
    assert decode_xml(xml).ok and (
        body.findtext(f"{CEB}returnStatus"),
        body.findtext(f"{CEB}oriMessageType"),
    ) == (
        "-1",
        "Unknown",
    )


def test_format_receipt_never_contains_a_live_doctype() -> None:
    original = b"<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>"
    xml = render_format_receipt(original, decode_xml(original).issues, NOW, "C", None, guids())
    assert etree.fromstring(xml).getroottree().docinfo.doctype == ""


# --- receipt events -------------------------------------------------------------


def test_receipt_event_carries_keys_status_and_aware_time() -> None:
    event = parse_receipt(official_bytes("import", "CEB622")).events[0]
    assert (event.return_status, event.status_text, event.pre_no, event.return_time.utcoffset().seconds) == (
        "1",
        "电子口岸已暂存",
        "B20160512000001882",
        8 * 3600,
    )


def test_receipt_event_knows_which_declaration_it_answers() -> None:
    event = parse_receipt(official_bytes("import", "CEB312")).events[0]
    assert (event.answers, event.keys) == (
        "CEB311",
        {"orderNo": "order20160321116420545", "ebpCode": "1105910159"},
    )


def test_export_inventory_receipt_event_has_invt_no() -> None:
    event = parse_receipt(official_bytes("export", "CEB604")).events[0]
    assert event.invt_no == "Invt20180507000001"


def test_every_valid_official_receipt_parses_into_events() -> None:
    names = ["312", "412", "512", "514", "622", "624", "626", "712"]
    exports = ["216", "304", "404", "506", "508", "510", "604", "606", "608", "702"]
    parsed = [parse_receipt(official_bytes("import", f"CEB{c}")) for c in names]
    parsed += [parse_receipt(official_bytes("export", f"CEB{c}")) for c in exports]
    assert all(p.events and not p.issues for p in parsed)


def test_our_own_ceb900_parses_back_into_an_error_event() -> None:
    original = b"garbage"
    xml = render_format_receipt(original, decode_xml(original).issues, NOW, "COP-9", None, guids())
    (event,) = parse_receipt(xml).events
    assert (event.is_error, event.keys) == (True, {"oriCopMsgId": "COP-9"})


def test_rendered_rejection_parses_back_as_negative_status(linked: Linked) -> None:
    order = linked("1210")["order"]
    issues = [Issue(codes.ACTURAL_PAID, "bad", "/records/0/head/acturalPaid")]
    rendered = render_receipt(build_answer(order, issues), order, NOW, guid_factory=guids())
    (event,) = parse_receipt(rendered.xml).events
    assert (event.is_error, event.return_status) == (True, "-301008")


def test_declarations_are_not_accepted_as_receipts() -> None:
    assert parse_receipt(official_bytes("import", "CEB311")).issues[0].code == codes.XML_UNKNOWN_MESSAGE


def test_tax_bill_event_uses_tax_status_meanings(linked: Linked) -> None:
    from services.declaration.ceb.json_codec import message_from_json
    from services.declaration.ceb.xml_codec import encode_xml

    message = message_from_json(
        {
            "messageType": "CEB818",
            "guid": "T0000000-0000-4000-8000-000000000000",
            "version": "1.0",
            "records": [
                {
                    "head": {
                        "guid": "T0000000-0000-4000-8000-000000000001",
                        "returnTime": "20240518120000000",
                        "invtNo": "230720241000000001",
                        "taxNo": "TAX1",
                        "status": "2",
                    }
                }
            ],
        }
    ).message
    (event,) = parse_receipt(encode_xml(message)).events
    assert (event.status_text, event.keys["taxNo"]) == ("已汇总", "TAX1")
