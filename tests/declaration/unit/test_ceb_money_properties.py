"""Property tests of the money rules — Decimal only, floats never generated."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from services.declaration.ceb import codes
from services.declaration.ceb.json_codec import message_from_json, message_to_json
from services.declaration.ceb.model import CebMessage, Record
from services.declaration.ceb.money import expected_actural_paid, expected_line_total
from services.declaration.ceb.xml_codec import decode_xml, encode_xml
from services.declaration.prechecks.rules import check_message
from services.declaration.quota.rules import QuotaLimits, QuotaPosition
from services.declaration.tax.rules import HsRateTable, TaxPolicy, TaxRates, Treatment, assess_inventory
from tests.declaration.unit.ceb_testdata import order_message

# N19,5 amounts kept well inside the XSD's 14 integer digits.
money = st.decimals(
    min_value=Decimal("0"), max_value=Decimal("99999999"), places=5, allow_nan=False, allow_infinity=False
)
positive_qty = st.decimals(min_value=Decimal("0.00001"), max_value=Decimal("99999"), places=5)
rate = st.decimals(min_value=Decimal("0"), max_value=Decimal("0.5"), places=4)
fen_amount = st.decimals(min_value=Decimal("0"), max_value=Decimal("26000"), places=2)


def with_head(**changes: Decimal) -> CebMessage:
    message = order_message()
    message.records[0].head.update(changes)
    return message


@given(goods=money, freight=money, tax=money, discount=money)
def test_actural_paid_identity_holds_exactly_and_a_cent_off_is_caught(
    goods: Decimal, freight: Decimal, tax: Decimal, discount: Decimal
) -> None:
    paid = expected_actural_paid(goods, freight, tax, discount)
    fields = {"goodsValue": goods, "freight": freight, "taxTotal": tax, "discount": discount}
    good = {i.code for i in check_message(with_head(**fields, acturalPaid=paid))}
    bad = {i.code for i in check_message(with_head(**fields, acturalPaid=paid + Decimal("0.01")))}
    assert codes.ACTURAL_PAID not in good and codes.ACTURAL_PAID in bad


@given(price=money, qty=positive_qty)
def test_line_total_is_price_times_qty_at_five_decimals(price: Decimal, qty: Decimal) -> None:
    total = expected_line_total(price, qty)
    assert (
        total == (price * qty).quantize(Decimal("0.00001"), rounding=ROUND_HALF_UP)
        and total.as_tuple().exponent == -5
    )


@given(price=money, qty=positive_qty)
def test_line_rule_accepts_the_exact_total_and_rejects_one_unit_of_the_last_place(
    price: Decimal, qty: Decimal
) -> None:
    message = order_message()
    message.records[0].lines = [message.records[0].lines[0] | {"price": price, "qty": qty}]
    line = message.records[0].lines[0]
    line["totalPrice"] = expected_line_total(price, qty)
    ok = codes.LINE_TOTAL not in {i.code for i in check_message(message)}
    line["totalPrice"] += Decimal("0.00001")
    assert ok and codes.LINE_TOTAL in {i.code for i in check_message(message)}


@given(vat=rate, consumption=rate)
def test_composite_rate_is_seventy_percent_of_the_full_rate_without_tariff(
    vat: Decimal, consumption: Decimal
) -> None:
    rates = TaxRates(Decimal("0"), vat, consumption)
    assert rates.composite_retail_rate() == rates.general_rate() * Decimal("0.7")


@given(
    price=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2),
    vat=rate,
    consumption=rate,
)
def test_retail_line_tax_is_the_composite_rate_rounded_to_fen(
    price: Decimal, vat: Decimal, consumption: Decimal
) -> None:
    table = HsRateTable(rates={}, default=TaxRates(Decimal("0"), vat, consumption))
    record = Record(
        head={"freight": Decimal("0"), "insuredFee": Decimal("0")},
        lines=[{"gnum": 1, "gcode": "1", "qty": Decimal("2"), "totalPrice": price}],
    )
    assessment = assess_inventory(record, TaxPolicy(table))
    exact = price * TaxRates(Decimal("0"), vat, consumption).composite_retail_rate()
    assert assessment.treatment is Treatment.RETAIL
    assert abs(assessment.total_tax - exact) <= Decimal("0.01")
    assert all(isinstance(v, Decimal) for v in (assessment.customs_tax, assessment.value_added_tax))


@given(
    totals=st.lists(
        st.decimals(min_value=Decimal("0"), max_value=Decimal("1000"), places=2), min_size=1, max_size=10
    ),
    freight=st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=2),
)
def test_line_tax_prices_always_sum_to_the_dutiable_value(totals: list[Decimal], freight: Decimal) -> None:
    record = Record(
        head={"freight": freight, "insuredFee": Decimal("0")},
        lines=[
            {"gnum": i + 1, "gcode": "1", "qty": Decimal("2"), "totalPrice": t} for i, t in enumerate(totals)
        ],
    )
    assessment = assess_inventory(record, limits=QuotaLimits(single_transaction=Decimal("1E9")))
    assert sum((line.tax_price for line in assessment.lines), Decimal("0")) == assessment.dutiable_value


@given(used=fen_amount, purchase=fen_amount)
def test_quota_arithmetic(used: Decimal, purchase: Decimal) -> None:
    quota = QuotaPosition(Decimal("26000"), used, purchase)
    assert quota.used_after == used + purchase
    assert quota.exceeds is (used + purchase > Decimal("26000"))
    assert quota.remaining_before == Decimal("26000") - used


@given(goods=money, freight=money, tax=money, discount=money)
def test_amounts_survive_xml_and_json_without_becoming_floats(
    goods: Decimal, freight: Decimal, tax: Decimal, discount: Decimal
) -> None:
    message = with_head(
        goodsValue=goods,
        freight=freight,
        taxTotal=tax,
        discount=discount,
        acturalPaid=expected_actural_paid(goods, freight, tax, discount),
    )
    back = message_from_json(message_to_json(decode_xml(encode_xml(message)).message)).message
    assert back == message and not any(isinstance(v, float) for _, v in back.values())
