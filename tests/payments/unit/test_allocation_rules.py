"""Matching a payout to declared goods: many orders, partial payments, netting, a visible remainder."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from services.payments.transactions.rules import Candidate, Requested, allocate

D = Decimal


def _goods(order: str, outstanding: str, rate: str = "1", doc: str | None = None) -> Candidate:
    return Candidate(doc or f"inv-{order}", order, D(outstanding), D(rate))


def test_one_payout_pays_many_orders_and_nets_the_platform_fee() -> None:
    result = allocate(
        D("950.00"),
        [D("50.00")],
        [Requested("A"), Requested("B")],
        {"A": [_goods("A", "600")], "B": [_goods("B", "400")]},
    )
    assert [(line.order_no, line.amount) for line in result.lines] == [("A", D("600")), ("B", D("400"))]
    assert (result.allocated, result.netted, result.remainder) == (D("1000.00"), D("50.00"), D("0.00"))


def test_a_short_payout_pays_the_last_order_partly() -> None:
    result = allocate(
        D("700.00"),
        [],
        [Requested("A"), Requested("B")],
        {"A": [_goods("A", "600")], "B": [_goods("B", "400")]},
    )
    assert [line.amount for line in result.lines] == [D("600"), D("100.00")]
    assert result.remainder == D("0.00")


def test_an_order_paid_already_is_unmatched_and_the_money_stays_visible() -> None:
    result = allocate(D("300.00"), [], [Requested("A")], {"A": [_goods("A", "0")]})
    assert result.lines == () and result.remainder == D("300.00")
    assert result.unmatched[0].reason.endswith("paid already")


def test_an_order_without_declared_goods_is_unmatched() -> None:
    result = allocate(D("300.00"), [], [Requested("X")], {})
    assert [u.order_no for u in result.unmatched] == ["X"] and result.remainder == D("300.00")


def test_a_stated_share_caps_what_an_order_takes() -> None:
    result = allocate(D("1000.00"), [], [Requested("A", D("250"))], {"A": [_goods("A", "600")]})
    assert result.lines[0].amount == D("250.00") and result.remainder == D("750.00")


def test_goods_in_another_currency_are_converted_at_the_rate() -> None:
    # Goods of 700 CNY paid in USD at 7 CNY per USD: 100 USD settles them exactly.
    result = allocate(D("100.00"), [], [Requested("A")], {"A": [_goods("A", "700", rate=str(D(1) / D(7)))]})
    assert (result.lines[0].amount, result.lines[0].goods_amount) == (D("100.00"), D("700"))


money = st.decimals(min_value=D("0.01"), max_value=D("100000"), places=2)


@given(
    amount=money,
    fees=st.lists(money, max_size=3),
    outstanding=st.lists(st.decimals(min_value=D(0), max_value=D("50000"), places=2), min_size=1, max_size=6),
    rate=st.sampled_from([D(1), D("7.1"), D("0.14084507")]),
)
def test_allocated_plus_remainder_is_always_the_gross_and_no_goods_are_overpaid(
    amount: Decimal, fees: list[Decimal], outstanding: list[Decimal], rate: Decimal
) -> None:
    candidates = {f"O{i}": [_goods(f"O{i}", str(o), str(rate))] for i, o in enumerate(outstanding)}
    result = allocate(amount, fees, [Requested(k) for k in candidates], candidates)
    assert result.allocated + result.remainder == amount + sum(fees, D(0))
    assert result.remainder >= 0
    for line in result.lines:
        assert line.goods_amount <= candidates[line.order_no][0].outstanding
