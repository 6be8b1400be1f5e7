"""Tax of a retail import inventory on the linked fixture set (limits decide the treatment)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from services.declaration.ceb import codes
from services.declaration.ceb.model import CebMessage, Record
from services.declaration.ceb.xml_codec import decode_xml, encode_xml
from services.declaration.quota.rules import QuotaLimits, dutiable_value
from services.declaration.tax.rules import (
    HsRateTable,
    TaxPolicy,
    TaxRates,
    Treatment,
    assess_inventory,
    default_rate_table,
)

Linked = Callable[[str], dict[str, CebMessage]]
VAT_ONLY = HsRateTable(rates={}, default=TaxRates(Decimal("0"), Decimal("0.13"), Decimal("0")))


def one_line_inventory(
    total: Decimal, qty: Decimal = Decimal("1"), gcode: str = "1901101000", freight: Decimal = Decimal("0")
) -> Record:
    return Record(
        head={"freight": freight, "insuredFee": Decimal("0"), "copNo": "C1"},
        lines=[{"gnum": 1, "gcode": gcode, "qty": qty, "price": total / qty, "totalPrice": total}],
    )


def test_composite_retail_rate_for_13_percent_vat_is_9_1_percent() -> None:
    assert TaxRates(Decimal("0"), Decimal("0.13"), Decimal("0")).composite_retail_rate() == Decimal("0.091")


def test_composite_retail_rate_with_consumption_tax() -> None:
    rates = TaxRates(Decimal("0"), Decimal("0.13"), Decimal("0.15"))
    assert rates.composite_retail_rate() == (Decimal("0.28") / Decimal("0.85")) * Decimal("0.7")


def test_within_limits_tariff_is_zero_and_vat_is_9_1_percent() -> None:
    assessment = assess_inventory(one_line_inventory(Decimal("100")), TaxPolicy(VAT_ONLY))
    line = assessment.lines[0]
    assert (assessment.treatment, line.customs_tax, line.value_added_tax) == (
        Treatment.RETAIL,
        Decimal("0.00"),
        Decimal("9.10"),
    )


def test_line_taxes_are_rounded_half_up_to_fen_and_totals_are_sums_of_rounded_lines() -> None:
    record = Record(
        head={"freight": Decimal("0"), "insuredFee": Decimal("0")},
        lines=[
            {"gnum": n, "gcode": "9999999999", "qty": Decimal("1"), "totalPrice": Decimal("0.50")}
            for n in (1, 2, 3)
        ],
    )
    assessment = assess_inventory(record, TaxPolicy(VAT_ONLY))
    # 0.50 × 0.091 = 0.0455 → 0.05 per line; the total is 0.15, not round(0.1365) = 0.14.
    assert [line.value_added_tax for line in assessment.lines] == [Decimal("0.05")] * 3
    assert assessment.value_added_tax == Decimal("0.15")


def test_freight_is_allocated_so_line_tax_prices_add_up_to_the_dutiable_value(linked: Linked) -> None:
    record = linked("1210")["inventory"].records[0]
    assessment = assess_inventory(record)
    assert sum((line.tax_price for line in assessment.lines), Decimal("0")) == assessment.dutiable_value
    assert assessment.dutiable_value == dutiable_value(record.head, record.lines)


def test_rates_come_from_the_longest_matching_hs_prefix() -> None:
    assert default_rate_table().lookup("3304990099").consumption == Decimal("0.15")


def test_unknown_hs_code_falls_back_to_13_percent_vat() -> None:
    assert default_rate_table().lookup("8517130000").vat == Decimal("0.13")


def test_over_single_limit_with_several_items_is_621005() -> None:
    assessment = assess_inventory(one_line_inventory(Decimal("6000"), qty=Decimal("2")))
    assert (assessment.treatment, [i.code for i in assessment.issues]) == (
        Treatment.REJECTED,
        [codes.SINGLE_LIMIT],
    )


def test_freight_counts_towards_the_single_limit() -> None:
    assessment = assess_inventory(
        one_line_inventory(Decimal("4995"), qty=Decimal("5"), freight=Decimal("10"))
    )
    assert [i.code for i in assessment.issues] == [codes.SINGLE_LIMIT]


def test_single_indivisible_item_over_the_limit_is_taxed_at_full_general_rates() -> None:
    rates = TaxRates(Decimal("0.10"), Decimal("0.13"), Decimal("0"))
    table = HsRateTable(rates={"9999": rates}, default=rates)
    assessment = assess_inventory(one_line_inventory(Decimal("8000"), gcode="9999000000"), TaxPolicy(table))
    line = assessment.lines[0]
    # tariff 800; VAT (8000 + 800) × 13% = 1144 — in full, no 70% reduction.
    assert (assessment.treatment, line.customs_tax, line.value_added_tax) == (
        Treatment.SINGLE_ITEM_GENERAL,
        Decimal("800.00"),
        Decimal("1144.00"),
    )


def test_general_rate_total_matches_the_published_formula() -> None:
    rates = TaxRates(Decimal("0.10"), Decimal("0.13"), Decimal("0.15"))
    table = HsRateTable(rates={}, default=rates)
    assessment = assess_inventory(one_line_inventory(Decimal("8000")), TaxPolicy(table))
    assert assessment.total_tax == (Decimal("8000") * rates.general_rate()).quantize(Decimal("0.01"))


def test_single_item_exception_can_be_switched_off() -> None:
    assessment = assess_inventory(
        one_line_inventory(Decimal("8000")), limits=QuotaLimits(allow_single_indivisible_item=False)
    )
    assert [i.code for i in assessment.issues] == [codes.SINGLE_LIMIT]


def test_the_configured_limits_decide_the_treatment() -> None:
    limits = QuotaLimits(single_transaction=Decimal("2000"), annual=Decimal("20000"))
    assert [
        i.code
        for i in assess_inventory(one_line_inventory(Decimal("2500"), Decimal("2")), limits=limits).issues
    ] == [codes.SINGLE_LIMIT]


def test_assessment_renders_a_schema_valid_ceb816(linked: Linked) -> None:
    inventory = linked("1210")["inventory"].records[0]
    assessment = assess_inventory(inventory)
    head = {
        "guid": "T0000000-0000-4000-8000-000000000001",
        "returnTime": "20240518120000000",
        "invtNo": "230720241000000001",
        "taxNo": "TAX1",
        **assessment.to_tax_head_rd(),
        "status": "1",
    }
    from services.declaration.ceb.json_codec import message_from_json

    message = message_from_json(
        {
            "messageType": "CEB816",
            "guid": "T0000000-0000-4000-8000-000000000000",
            "version": "1.0",
            "records": [{"head": head, "lines": [line.to_tax_list_rd() for line in assessment.lines]}],
        }
    ).message
    assert message is not None and decode_xml(encode_xml(message)).ok


@pytest.mark.parametrize("gcode", ["3304990099", "2204210000"])
def test_consumption_tax_goods_pay_consumption_tax_within_limits(gcode: str) -> None:
    assert assess_inventory(one_line_inventory(Decimal("100"), gcode=gcode)).consumption_tax > 0
