"""Money a person reads is shown at its currency's precision (ISO 4217 minor units), rounded
half up; the stored amount keeps its precision."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from shared.currencies import display, minor_digits

_amounts = st.decimals(min_value=0, max_value=10**12, places=5, allow_nan=False, allow_infinity=False)


@given(_amounts)
def test_a_cny_amount_is_shown_in_fen(amount: Decimal) -> None:
    assert len(display(amount, "142").partition(".")[2]) == 2


@given(_amounts, st.sampled_from(["CNY", "USD", "JPY", "KRW", "EUR", "502", "116"]))
def test_the_shown_amount_is_within_half_a_minor_unit_of_the_amount(amount: Decimal, currency: str) -> None:
    half = Decimal(1).scaleb(-minor_digits(currency)) / 2
    assert abs(Decimal(display(amount, currency)) - amount) <= half


def test_halves_round_up_as_a_cashier_rounds() -> None:
    assert [display(Decimal("152.565")), display(Decimal("99.5"), "JPY")] == ["152.57", "100"]


def test_a_yen_amount_has_no_decimals() -> None:
    assert display(Decimal("1234.56789"), "JPY") == "1235"
