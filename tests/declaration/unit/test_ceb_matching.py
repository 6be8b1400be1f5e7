"""Three-document match, keys and refunds on the linked fixture set."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal

import pytest

from services.declaration.ceb import codes
from services.declaration.ceb.keys import NaturalKey, document_key, link_keys
from services.declaration.ceb.model import CebMessage, Record
from services.declaration.customs.core.refunds import check_refund_against_inventory
from services.declaration.matching.rules import MatchStatus, match_inventory
from tests.declaration.unit.ceb_testdata import BUYER

Linked = Callable[[str], dict[str, CebMessage]]


def records(docs: dict[str, CebMessage]) -> dict[str, Record]:
    return {name: message.records[0] for name, message in docs.items()}


@pytest.mark.parametrize("trade_mode", ["1210", "9610"])
def test_complete_consistent_set_matches(linked: Linked, trade_mode: str) -> None:
    r = records(linked(trade_mode))
    assert (
        match_inventory(r["inventory"], r["order"], r["payment"], r["waybill"]).status is MatchStatus.MATCHED
    )


@pytest.mark.parametrize("missing", ["order", "payment", "waybill"])
def test_missing_document_means_waiting_for_it(linked: Linked, missing: str) -> None:
    r = records(linked("1210"))
    r[missing] = None
    result = match_inventory(r["inventory"], r["order"], r["payment"], r["waybill"])
    assert (result.status, result.waiting_for) == (MatchStatus.WAITING, (missing,))


def test_inventory_alone_waits_for_all_three(linked: Linked) -> None:
    assert match_inventory(records(linked("1210"))["inventory"]).waiting_for == (
        "order",
        "payment",
        "waybill",
    )


MISMATCHES = [
    ("payment", "amountPaid", Decimal("1.00")),
    ("order", "orderNo", "OTHER-ORDER"),
    ("waybill", "consigneeTelephone", "13900000000"),
    ("waybill", "logisticsNo", "OTHER-WAYBILL"),
    ("order", "buyerIdNumber", "110101199001019999"),
    ("payment", "payTransactionId", "OTHER-TX"),
]


@pytest.mark.parametrize(("document", "field", "value"), MISMATCHES)
def test_field_disagreement_is_a_named_mismatch(
    linked: Linked, document: str, field: str, value: object
) -> None:
    r = records(linked("1210"))
    r[document].head[field] = value
    result = match_inventory(r["inventory"], r["order"], r["payment"], r["waybill"])
    assert result.status is MatchStatus.MISMATCHED and field in {m.field for m in result.mismatches}


def test_line_quantity_disagreement_names_the_line(linked: Linked) -> None:
    r = records(linked("1210"))
    r["order"].lines[1]["qty"] = Decimal("3")
    (mismatch,) = match_inventory(r["inventory"], r["order"]).mismatches
    assert (mismatch.field, mismatch.left_pointer, mismatch.right_pointer) == (
        "qty",
        "/lines/1/qty",
        "/lines/1/qty",
    )


def test_gnum_missing_on_one_side_is_a_mismatch(linked: Linked) -> None:
    r = records(linked("1210"))
    r["order"].lines.pop()
    assert {m.field for m in match_inventory(r["inventory"], r["order"]).mismatches} == {"gnum"}


def test_mismatch_report_masks_personal_data(linked: Linked) -> None:
    r = records(linked("1210"))
    r["waybill"].head["consigneeTelephone"] = "13900001111"
    report = json.dumps(
        match_inventory(r["inventory"], r["order"], r["payment"], r["waybill"]).to_dict(), ensure_ascii=False
    )
    assert "13900001111" not in report and BUYER["buyerTelephone"] not in report and "139****1111" in report


def test_mismatch_report_shows_both_values_for_non_personal_fields(linked: Linked) -> None:
    r = records(linked("1210"))
    r["payment"].head["amountPaid"] = Decimal("1.00")
    (mismatch,) = match_inventory(r["inventory"], r["order"], r["payment"]).mismatches
    assert (mismatch.left_value, mismatch.right_value) == ("1.00", "532.60")


def test_buyer_not_payer_is_a_review_flag_not_a_mismatch(linked: Linked) -> None:
    r = records(linked("1210"))
    r["payment"].head.update(payerName="李四", payerIdNumber="110101199001019999")
    result = match_inventory(r["inventory"], r["order"], r["payment"], r["waybill"])
    assert result.status is MatchStatus.MATCHED and {i.code for i in result.issues} == {
        codes.MATCH_BUYER_NOT_PAYER
    }


def test_inferred_freight_difference_is_review_only(linked: Linked) -> None:
    r = records(linked("1210"))
    r["waybill"].head["freight"] = Decimal("12.00")
    result = match_inventory(r["inventory"], r["order"], r["payment"], r["waybill"])
    assert result.status is MatchStatus.MATCHED and [m.field for m in result.review] == ["freight"]


def test_amounts_compare_by_value_not_by_text(linked: Linked) -> None:
    r = records(linked("1210"))
    r["payment"].head["amountPaid"] = Decimal("532.600")
    assert match_inventory(r["inventory"], r["order"], r["payment"]).mismatches == ()


# --- natural keys ------------------------------------------------------------


def test_documents_share_order_and_waybill_link_keys(linked: Linked) -> None:
    r = records(linked("1210"))
    assert (
        link_keys(r["inventory"])["order"]
        == link_keys(r["order"])["order"]
        == link_keys(r["payment"])["order"]
    )


def test_inventory_and_waybill_share_the_waybill_key(linked: Linked) -> None:
    r = records(linked("1210"))
    assert link_keys(r["inventory"])["waybill"] == link_keys(r["waybill"])["waybill"]


def test_order_and_payment_share_the_payment_key(linked: Linked) -> None:
    r = records(linked("1210"))
    assert link_keys(r["order"])["payment"] == link_keys(r["payment"])["payment"]


def test_document_key_uses_the_catalogue_key_fields(linked: Linked) -> None:
    order = records(linked("1210"))["order"]
    assert document_key("CEB311", order) == NaturalKey(
        "CEB311", (order.head["orderNo"], order.head["ebpCode"])
    )


def test_incomplete_link_key_is_omitted(linked: Linked) -> None:
    order = records(linked("1210"))["order"]
    del order.head["payTransactionId"]
    assert "payment" not in link_keys(order)


# --- refunds -------------------------------------------------------------------


def refund_for(inventory: Record, **line_changes: object) -> Record:
    source = inventory.lines[1]
    line = {
        "gnum": source["gnum"],
        "gcode": source["gcode"],
        "gname": source["gname"],
        "qty": source["qty"],
        "unit": source["unit"],
        **line_changes,
    }
    return Record(head={"invtNo": ""}, lines=[line])


def test_refund_of_an_existing_line_within_quantity_is_fine(linked: Linked) -> None:
    inventory = records(linked("1210"))["inventory"]
    assert check_refund_against_inventory(refund_for(inventory), inventory) == []


def test_refund_of_a_line_not_in_the_inventory_is_625209(linked: Linked) -> None:
    inventory = records(linked("1210"))["inventory"]
    (issue,) = check_refund_against_inventory(refund_for(inventory, gnum=9), inventory)
    assert (issue.code, issue.pointer) == (codes.REFUND_LINE_NOT_FOUND, "/records/0/lines/0/gnum")


def test_refund_of_more_than_was_declared_is_refused(linked: Linked) -> None:
    inventory = records(linked("1210"))["inventory"]
    (issue,) = check_refund_against_inventory(refund_for(inventory, qty=Decimal("5")), inventory)
    assert issue.code == codes.REFUND_QTY


def test_refund_with_a_different_gcode_is_refused(linked: Linked) -> None:
    inventory = records(linked("1210"))["inventory"]
    (issue,) = check_refund_against_inventory(refund_for(inventory, gcode="3304100000"), inventory)
    assert (issue.code, issue.pointer) == (codes.REFUND_LINE_MISMATCH, "/records/0/lines/0/gcode")
