"""The USD 200,000 rule: states, holds, SAFE's lists and registrations."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from services.payments.threshold.rules import Counter, Limits, decide, state_of
from shared.events.payments import FlowDirection, ThresholdState

D = Decimal
L = Limits()
R = FlowDirection.RECEIPT


def test_the_states_at_the_lines() -> None:
    assert state_of(Counter(D("179999.99")), L) is ThresholdState.BELOW
    assert state_of(Counter(D("180000")), L) is ThresholdState.WARNING
    assert state_of(Counter(D("199999.99")), L) is ThresholdState.WARNING
    # "below USD 200,000 (exclusive)": exactly 200,000 is not below.
    assert state_of(Counter(D("200000")), L) is ThresholdState.REGISTRATION_REQUIRED


def test_receipts_or_payments_whichever_is_larger() -> None:
    assert state_of(Counter(D("10"), D("190000")), L) is ThresholdState.WARNING


def test_a_receipt_that_reaches_the_threshold_is_held() -> None:
    decision = decide(Counter(D("195000")), R, D("5000"), L)
    assert decision.hold and decision.state_after is ThresholdState.REGISTRATION_REQUIRED


def test_a_receipt_just_below_the_threshold_applies() -> None:
    assert not decide(Counter(D("195000")), R, D("4999.99"), L).hold


def test_safe_lists_override_the_counter() -> None:
    assert state_of(Counter(D("1000"), safe_list="warning"), L) is ThresholdState.WARNING
    assert decide(Counter(D("1000"), safe_list="over"), R, D("1"), L).hold


def test_a_registered_enterprise_is_never_held() -> None:
    decision = decide(Counter(D("500000"), registered=True, safe_list="over"), R, D("100000"), L)
    assert not decision.hold and decision.state_after is ThresholdState.REGISTERED


@given(
    start=st.decimals(min_value=D(0), max_value=D("400000"), places=2),
    amount=st.decimals(min_value=D("0.01"), max_value=D("400000"), places=2),
)
def test_nothing_unregistered_is_ever_applied_at_or_over_the_threshold(
    start: Decimal, amount: Decimal
) -> None:
    decision = decide(Counter(start), R, amount, L)
    assert decision.hold == (start + amount >= L.threshold)
