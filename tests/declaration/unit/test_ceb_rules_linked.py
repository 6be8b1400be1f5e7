"""Business rules on a linked 1210/9610 document set: clean set passes, each mutation trips its named rule."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from services.declaration.ceb import codes
from services.declaration.ceb.issues import Severity
from services.declaration.ceb.model import CebMessage, Record
from services.declaration.ceb.xml_codec import decode_xml, encode_xml
from services.declaration.prechecks.rules import RuleConfig, check_message

Linked = Callable[[str], dict[str, CebMessage]]


def found(message: CebMessage, config: RuleConfig | None = None) -> set[tuple[str, str]]:
    return {(issue.code, issue.pointer or "") for issue in check_message(message, config)}


@pytest.mark.parametrize("trade_mode", ["1210", "1239", "9610"])
@pytest.mark.parametrize("document", ["order", "payment", "waybill", "inventory"])
def test_linked_document_is_schema_valid(linked: Linked, trade_mode: str, document: str) -> None:
    assert decode_xml(encode_xml(linked(trade_mode)[document])).ok


@pytest.mark.parametrize("trade_mode", ["1210", "9610"])
@pytest.mark.parametrize("document", ["order", "payment", "waybill", "inventory"])
def test_linked_document_passes_every_business_rule(linked: Linked, trade_mode: str, document: str) -> None:
    assert check_message(linked(trade_mode)[document]) == []


def head(message: CebMessage) -> dict:
    return message.records[0].head


def line(message: CebMessage, index: int) -> dict:
    return message.records[0].lines[index]


# (document, trade mode, mutation, expected code, expected pointer)
MUTATIONS: list[tuple[str, str, Callable[[CebMessage], None], str, str]] = [
    (
        "order",
        "1210",
        lambda m: head(m).update(acturalPaid=Decimal("1")),
        codes.ACTURAL_PAID,
        "/records/0/head/acturalPaid",
    ),
    (
        "order",
        "1210",
        lambda m: line(m, 1).update(totalPrice=Decimal("999")),
        codes.LINE_TOTAL,
        "/records/0/lines/1/totalPrice",
    ),
    (
        "order",
        "1210",
        lambda m: line(m, 2).update(totalPrice=Decimal("5")),
        codes.LINE_TOTAL,
        "/records/0/lines/2/totalPrice",
    ),
    (
        "order",
        "1210",
        lambda m: head(m).update(currency="502"),
        codes.IMPORT_CURRENCY,
        "/records/0/head/currency",
    ),
    (
        "order",
        "1210",
        lambda m: line(m, 0).update(currency="502"),
        codes.IMPORT_CURRENCY,
        "/records/0/lines/0/currency",
    ),
    (
        "order",
        "1210",
        lambda m: head(m).update(buyerIdType="2"),
        codes.ID_TYPE,
        "/records/0/head/buyerIdType",
    ),
    ("order", "1210", lambda m: head(m).update(orderType="E"), codes.ORDER_TYPE, "/records/0/head/orderType"),
    (
        "order",
        "1210",
        lambda m: line(m, 1).update(gnum=1),
        codes.ORDER_DUPLICATE_GNUM,
        "/records/0/lines/1/gnum",
    ),
    ("order", "1210", lambda m: line(m, 2).update(gnum=4), codes.GNUM_SEQUENCE, "/records/0/lines/2/gnum"),
    (
        "order",
        "1210",
        lambda m: head(m).update(appTime="20240230103000"),
        codes.TIME_FORMAT,
        "/records/0/head/appTime",
    ),
    (
        "order",
        "1210",
        lambda m: head(m).update(appTime="20240518253000"),
        codes.TIME_FORMAT,
        "/records/0/head/appTime",
    ),
    ("order", "1210", lambda m: head(m).update(appType="4"), codes.APP_TYPE, "/records/0/head/appType"),
    (
        "order",
        "1210",
        lambda m: head(m).update(guid=head(m)["guid"].lower()),
        codes.GUID_FORMAT,
        "/records/0/head/guid",
    ),
    ("order", "1210", lambda m: line(m, 0).update(unit="aaa"), codes.CODE_FORMAT, "/records/0/lines/0/unit"),
    (
        "order",
        "1210",
        lambda m: line(m, 0).update(qty=Decimal("0"), totalPrice=Decimal("0")),
        codes.QUANTITY,
        "/records/0/lines/0/qty",
    ),
    (
        "payment",
        "1210",
        lambda m: head(m).update(payerIdType="2"),
        codes.ID_TYPE,
        "/records/0/head/payerIdType",
    ),
    (
        "payment",
        "1210",
        lambda m: head(m).update(payTime="2024051810"),
        codes.TIME_FORMAT,
        "/records/0/head/payTime",
    ),
    ("waybill", "1210", lambda m: head(m).update(packNo=2), codes.PACK_NO, "/records/0/head/packNo"),
    (
        "waybill",
        "1210",
        lambda m: head(m).update(weight=Decimal("0")),
        codes.WEIGHTS,
        "/records/0/head/weight",
    ),
    (
        "waybill",
        "1210",
        lambda m: head(m).update(consignee="  "),
        codes.BLANK_REQUIRED,
        "/records/0/head/consignee",
    ),
    (
        "inventory",
        "1210",
        lambda m: head(m).update(netWeight=Decimal("2")),
        codes.WEIGHTS,
        "/records/0/head/netWeight",
    ),
    (
        "inventory",
        "1210",
        lambda m: head(m).update(netWeight=Decimal("0")),
        codes.WEIGHTS,
        "/records/0/head/netWeight",
    ),
    (
        "inventory",
        "1210",
        lambda m: head(m).update(declTime="20241301"),
        codes.TIME_FORMAT,
        "/records/0/head/declTime",
    ),
    ("inventory", "1210", lambda m: head(m).pop("emsNo"), codes.BONDED_FIELDS, "/records/0/head/emsNo"),
    ("inventory", "1210", lambda m: head(m).pop("areaCode"), codes.BONDED_FIELDS, "/records/0/head/areaCode"),
    (
        "inventory",
        "1210",
        lambda m: line(m, 1).pop("itemRecordNo"),
        codes.BONDED_FIELDS,
        "/records/0/lines/1/itemRecordNo",
    ),
    (
        "inventory",
        "1210",
        lambda m: head(m).update(country="116"),
        codes.BONDED_COUNTRY,
        "/records/0/head/country",
    ),
    (
        "inventory",
        "9610",
        lambda m: head(m).pop("trafNo"),
        codes.DIRECT_IMPORT_FIELDS,
        "/records/0/head/trafNo",
    ),
    (
        "inventory",
        "9610",
        lambda m: head(m).pop("voyageNo"),
        codes.DIRECT_IMPORT_FIELDS,
        "/records/0/head/voyageNo",
    ),
    (
        "inventory",
        "9610",
        lambda m: head(m).update(billNo=""),
        codes.DIRECT_IMPORT_FIELDS,
        "/records/0/head/billNo",
    ),
    (
        "inventory",
        "1210",
        lambda m: head(m).update(tradeMode="0110"),
        codes.TRADE_MODE,
        "/records/0/head/tradeMode",
    ),
    ("inventory", "1210", lambda m: head(m).update(ieFlag="E"), codes.IE_FLAG, "/records/0/head/ieFlag"),
    ("inventory", "1210", lambda m: head(m).update(packNo=3), codes.PACK_NO, "/records/0/head/packNo"),
    (
        "inventory",
        "1210",
        lambda m: line(m, 0).update(gcode="19011010"),
        codes.GCODE_FORMAT,
        "/records/0/lines/0/gcode",
    ),
    (
        "inventory",
        "1210",
        lambda m: line(m, 0).update(unit2="035"),
        codes.SECOND_UNIT_QTY,
        "/records/0/lines/0/qty2",
    ),
    (
        "inventory",
        "1210",
        lambda m: line(m, 0).update(qty2=Decimal("1")),
        codes.SECOND_UNIT_QTY,
        "/records/0/lines/0/qty2",
    ),
    (
        "inventory",
        "1210",
        lambda m: line(m, 0).update(unit2="035", qty2=Decimal("0")),
        codes.SECOND_UNIT_QTY,
        "/records/0/lines/0/qty2",
    ),
    (
        "inventory",
        "1210",
        lambda m: line(m, 2).update(gnum=2),
        codes.INVENTORY_DUPLICATE_GNUM,
        "/records/0/lines/2/gnum",
    ),
    (
        "inventory",
        "1210",
        lambda m: line(m, 0).update(unit1="122", qty1=Decimal("3")),
        codes.LEGAL_QTY,
        "/records/0/lines/0/qty1",
    ),
    (
        "inventory",
        "1210",
        lambda m: setattr(m, "signature", None),
        codes.SIGNATURE_REQUIRED,
        "/records/0/head/appStatus",
    ),
    (
        "inventory",
        "1210",
        lambda m: line(m, 0).update(price=Decimal("3000"), totalPrice=Decimal("6000")),
        codes.SINGLE_LIMIT,
        "/records/0",
    ),
]


@pytest.mark.parametrize(
    ("document", "trade_mode", "mutate", "code", "pointer"),
    MUTATIONS,
    ids=[f"{d}-{c}-{p.rsplit('/', 1)[-1]}" for d, _, _, c, p in MUTATIONS],
)
def test_mutation_is_caught_by_its_rule_at_its_field(
    linked: Linked,
    document: str,
    trade_mode: str,
    mutate: Callable[[CebMessage], None],
    code: str,
    pointer: str,
) -> None:
    message = linked(trade_mode)[document]
    mutate(message)
    assert (code, pointer) in found(message)


def test_gift_line_at_price_zero_with_total_zero_is_fine(linked: Linked) -> None:
    order = linked("1210")["order"]
    assert line(order, 2)["price"] == 0 and check_message(order) == []


def test_goods_value_not_equal_to_line_sum_is_only_a_review_flag_by_default(linked: Linked) -> None:
    order = linked("1210")["order"]
    head(order).update(goodsValue=Decimal("500.00"), acturalPaid=Decimal("536.10"))
    (issue,) = check_message(order)
    assert (issue.code, issue.severity) == (codes.GOODS_VALUE_SUM, Severity.REVIEW)


def test_goods_value_rule_can_be_made_an_error(linked: Linked) -> None:
    order = linked("1210")["order"]
    head(order).update(goodsValue=Decimal("500.00"), acturalPaid=Decimal("536.10"))
    (issue,) = check_message(order, RuleConfig(goods_value_sum=Severity.ERROR))
    assert issue.severity is Severity.ERROR


def test_goods_value_rule_can_be_switched_off(linked: Linked) -> None:
    order = linked("1210")["order"]
    head(order).update(goodsValue=Decimal("500.00"), acturalPaid=Decimal("536.10"))
    assert check_message(order, RuleConfig(goods_value_sum=None)) == []


def test_single_indivisible_item_above_the_limit_is_allowed(linked: Linked) -> None:
    inventory = linked("1210")["inventory"]
    record = inventory.records[0]
    record.lines = [
        record.lines[0]
        | {
            "qty": Decimal("1"),
            "qty1": Decimal("0.4"),
            "price": Decimal("8000"),
            "totalPrice": Decimal("8000"),
        }
    ]
    assert check_message(inventory) == []


def test_receipts_are_not_business_checked(linked: Linked) -> None:
    receipt = CebMessage("CEB312", "x", "1.0", [Record({"returnStatus": "weird"})])
    assert check_message(receipt) == []


# --- export -----------------------------------------------------------------


def export_inventory(
    trade_mode: str = "9610",
    statistics_flag: str = "B",
    gcode: str = "8541401000",
    total: Decimal = Decimal("100"),
    currency: str = "142",
    license_no: str = "",
) -> CebMessage:
    head_fields = {
        "guid": "E0000000-0000-4000-8000-000000000001",
        "appType": "1",
        "appTime": "20240518120000",
        "appStatus": "2",
        "customsCode": "2307",
        "ebpCode": "3207960001",
        "ebpName": "平台",
        "orderNo": "EO1",
        "logisticsCode": "3207960004",
        "logisticsName": "物流",
        "logisticsNo": "L1",
        "copNo": "C1",
        "ieFlag": "E",
        "portCode": "2307",
        "ieDate": "20240518",
        "statisticsFlag": statistics_flag,
        "agentCode": "3207960005",
        "agentName": "报关行",
        "ebcCode": "3207960002",
        "ebcName": "电商",
        "ownerCode": "3207960002",
        "ownerName": "电商",
        "tradeMode": trade_mode,
        "trafMode": "2",
        "licenseNo": license_no,
        "country": "502",
        "POD": "3010",
        "freight": Decimal("0"),
        "fCurrency": "142",
        "fFlag": "3",
        "insuredFee": Decimal("0"),
        "iCurrency": "142",
        "iFlag": "3",
        "wrapType": "2",
        "packNo": 1,
        "grossWeight": Decimal("2"),
        "netWeight": Decimal("1"),
    }
    lines = [
        {
            "gnum": 1,
            "itemNo": "S1",
            "gcode": gcode,
            "gname": "灯",
            "gmodel": "LED",
            "barCode": "无",
            "country": "502",
            "currency": currency,
            "qty": Decimal("1"),
            "qty1": Decimal("1"),
            "unit": "007",
            "unit1": "007",
            "price": total,
            "totalPrice": total,
        }
    ]
    return CebMessage(
        "CEB603",
        "E0000000-0000-4000-8000-000000000000",
        "1.0",
        [Record(head_fields, lines)],
        base_transfer={"copCode": "3207960002", "copName": "电商", "dxpMode": "DXP", "dxpId": "D1"},
    )


def test_export_inventory_fixture_is_schema_valid_and_clean() -> None:
    message = export_inventory()
    assert decode_xml(encode_xml(message)).ok and check_message(message) == []


def test_export_four_digit_gcode_needs_statistics_flag_a() -> None:
    assert (codes.GCODE_FORMAT, "/records/0/lines/0/gcode") in found(export_inventory(gcode="8541"))


def test_export_four_digit_gcode_is_fine_under_simplified_declaration() -> None:
    assert found(export_inventory(gcode="8541", statistics_flag="A")) == set()


def test_b2b_export_allows_six_digit_gcode_under_simplified_declaration() -> None:
    assert found(export_inventory(trade_mode="9710", gcode="854140", statistics_flag="A")) == set()


def test_b2b_export_rejects_four_digit_gcode() -> None:
    message = export_inventory(trade_mode="9710", gcode="8541", statistics_flag="A")
    assert (codes.GCODE_FORMAT, "/records/0/lines/0/gcode") in found(message)


def test_simplified_gcode_can_be_disabled_outside_a_pilot_zone() -> None:
    config = RuleConfig(allow_simplified_gcode=False)
    assert (codes.GCODE_FORMAT, "/records/0/lines/0/gcode") in found(
        export_inventory(gcode="8541", statistics_flag="A"), config
    )


def test_b2b_shipment_over_5000_cny_is_pointed_to_the_ordinary_declaration() -> None:
    (issue,) = check_message(export_inventory(trade_mode="9810", total=Decimal("5000.01")))
    assert issue.code == codes.B2B_CHANNEL and "H2018" in issue.message


def test_b2b_shipment_with_a_licence_is_pointed_to_the_ordinary_declaration() -> None:
    (issue,) = check_message(export_inventory(trade_mode="9710", license_no="LIC-1"))
    assert (issue.code, issue.pointer) == (codes.B2B_CHANNEL, "/records/0/head/licenseNo")


def test_b2b_shipment_in_unknown_currency_is_flagged_for_review() -> None:
    (issue,) = check_message(export_inventory(trade_mode="9710", currency="502", total=Decimal("10")))
    assert (issue.code, issue.severity) == (codes.B2B_CHANNEL, Severity.REVIEW)


def test_b2b_shipment_converts_with_configured_rate() -> None:
    config = RuleConfig(cny_rates={"142": Decimal("1"), "502": Decimal("7.2")})
    message = export_inventory(trade_mode="9710", currency="502", total=Decimal("700"))
    assert {code for code, _ in found(message, config)} == {codes.B2B_CHANNEL}


def test_b2b_restricted_hs_prefix_is_refused() -> None:
    config = RuleConfig(b2b_restricted_hs_prefixes=frozenset({"8541"}))
    assert (codes.B2B_CHANNEL, "/records/0/lines/0/gcode") in found(
        export_inventory(trade_mode="9710"), config
    )


def test_export_blank_required_string_is_caught_despite_the_xsd_allowing_it() -> None:
    message = export_inventory()
    message.records[0].head["ebcName"] = ""
    assert decode_xml(encode_xml(message)).ok and (codes.BLANK_REQUIRED, "/records/0/head/ebcName") in found(
        message
    )
