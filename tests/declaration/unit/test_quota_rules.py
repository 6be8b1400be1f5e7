"""The retail import limits: 5,000 CNY a transaction, 26,000 CNY a buyer's year, decided in one place."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from services.declaration.ceb import codes
from services.declaration.ceb.model import CebMessage, Record
from services.declaration.quota.rules import (
    QuotaClaim,
    QuotaLimits,
    QuotaPosition,
    check_annual_quota,
    check_single_transaction,
    decide_claims,
    dutiable_value,
    from_e5,
    once_per_buyer,
    to_e5,
)

Linked = Callable[[str], dict[str, CebMessage]]
LIMITS = QuotaLimits()


def inventory(total: Decimal, qty: Decimal = Decimal("1"), freight: Decimal = Decimal("0")) -> Record:
    return Record(
        head={"freight": freight, "insuredFee": Decimal("0"), "copNo": "C1"},
        lines=[{"gnum": 1, "gcode": "1901101000", "qty": qty, "price": total / qty, "totalPrice": total}],
    )


def claim(index: int, amount: str, buyer: str = "b1", held: int = 0) -> QuotaClaim:
    return QuotaClaim(index, f"d{index}", buyer, 2026, Decimal(amount), held)


def test_the_statutory_limits_are_the_defaults() -> None:
    assert (LIMITS.single_transaction, LIMITS.annual) == (Decimal("5000"), Decimal("26000"))


def test_dutiable_value_is_goods_plus_freight_plus_insurance(linked: Linked) -> None:
    record = linked("1210")["inventory"].records[0]
    assert dutiable_value(record.head, record.lines) == Decimal("496.50") + Decimal("10.00")


def test_a_purchase_at_the_single_limit_passes() -> None:
    assert check_single_transaction(inventory(Decimal("5000"), qty=Decimal("2")), LIMITS) is None


def test_freight_counts_towards_the_single_limit() -> None:
    issue = check_single_transaction(
        inventory(Decimal("4995"), qty=Decimal("5"), freight=Decimal("10")), LIMITS
    )
    assert issue is not None and issue.code == codes.SINGLE_LIMIT


def test_one_indivisible_item_may_exceed_the_single_limit_unless_configured_otherwise() -> None:
    assert check_single_transaction(inventory(Decimal("8000")), LIMITS) is None
    strict = QuotaLimits(allow_single_indivisible_item=False)
    assert check_single_transaction(inventory(Decimal("8000")), strict) is not None


def test_a_purchase_that_would_exceed_the_annual_limit_is_621018() -> None:
    issue = check_annual_quota(QuotaPosition(LIMITS.annual, Decimal("23500"), Decimal("3000")))
    assert issue is not None and issue.code == codes.ANNUAL_LIMIT


def test_a_purchase_that_exactly_reaches_the_annual_limit_is_allowed() -> None:
    assert check_annual_quota(QuotaPosition(LIMITS.annual, Decimal("23000"), Decimal("3000"))) is None


def test_the_annual_quota_message_names_the_used_amount_and_the_limit() -> None:
    issue = check_annual_quota(QuotaPosition(Decimal("26000"), Decimal("25990"), Decimal("20")), "3207**1234")
    assert issue is not None and "25990" in issue.message and "26000" in issue.message


def test_quota_position_reports_the_remaining_quota() -> None:
    assert QuotaPosition(Decimal("26000"), Decimal("25000"), Decimal("10")).remaining_before == Decimal(
        "1000"
    )


def test_claims_of_one_buyer_in_one_message_count_cumulatively_in_index_order() -> None:
    decision = decide_claims(
        [claim(2, "3000"), claim(0, "20000"), claim(1, "5000"), claim(3, "1000")], {}, LIMITS
    )
    # 20000, +5000 = 25000, +3000 would be 28000 (refused), +1000 = 26000.
    assert sorted(c.index for c in decision.granted) == [0, 1, 3]
    assert decision.refused[2].used == Decimal("25000.00000")
    assert decision.totals == {("b1", 2026): to_e5(Decimal("26000"))}


def test_an_amendment_replaces_what_its_document_holds() -> None:
    used = {("b1", 2026): to_e5(Decimal("26000"))}
    decision = decide_claims([claim(0, "4000", held=to_e5(Decimal("5000")))], used, LIMITS)
    assert not decision.refused and decision.totals[("b1", 2026)] == to_e5(Decimal("25000"))


def test_one_conditional_upsert_serves_only_claims_of_distinct_buyers_holding_nothing() -> None:
    assert once_per_buyer([claim(0, "1"), claim(1, "1", buyer="b2")])
    assert not once_per_buyer([claim(0, "1"), claim(1, "1")])
    assert not once_per_buyer([claim(0, "1", held=5)])


amounts = st.lists(st.decimals(min_value=Decimal("0"), max_value=Decimal("9000"), places=2), max_size=12)


@given(amounts=amounts, used=st.decimals(min_value=Decimal("0"), max_value=Decimal("26000"), places=2))
def test_granted_claims_never_take_a_buyer_past_the_annual_limit(
    amounts: list[Decimal], used: Decimal
) -> None:
    claims = [claim(i, str(a)) for i, a in enumerate(amounts)]
    decision = decide_claims(claims, {("b1", 2026): to_e5(used)}, LIMITS)
    total = used + sum((c.amount for c in decision.granted), Decimal(0))
    assert total <= LIMITS.annual
    assert from_e5(decision.totals.get(("b1", 2026), to_e5(used))) == total
    # Every refused claim would have gone past the limit at its turn.
    assert all(position.exceeds for position in decision.refused.values())
    assert len(decision.granted) + len(decision.refused) == len(claims)


@given(amount=st.decimals(min_value=Decimal("0"), max_value=Decimal("99999999"), places=5))
def test_quota_units_are_exact(amount: Decimal) -> None:
    assert from_e5(to_e5(amount)) == amount
