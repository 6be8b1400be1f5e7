"""Money identities of the CEB messages, as pure Decimal functions.

All amounts are ``N19,5`` in the XSD.  Products are rounded ROUND_HALF_UP to
that scale before comparing, because the declared total can carry no more
than five decimals.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

XSD_SCALE = Decimal("0.00001")
FEN = Decimal("0.01")


def expected_actural_paid(
    goods_value: Decimal, freight: Decimal, tax_total: Decimal, discount: Decimal
) -> Decimal:
    """CEB311 ``acturalPaid`` = goodsValue + freight + taxTotal − discount (XSD annotation)."""
    return goods_value + freight + tax_total - discount


def expected_line_total(price: Decimal, qty: Decimal) -> Decimal:
    """``totalPrice`` = price × qty, rounded half-up to the XSD's 5 decimals (gifts: price 0 → 0)."""
    return (price * qty).quantize(XSD_SCALE, rounding=ROUND_HALF_UP)


def line_total_matches(
    price: Decimal, qty: Decimal, total: Decimal, tolerance: Decimal = Decimal("0")
) -> bool:
    """True when ``total`` equals price × qty within ``tolerance``."""
    return abs(expected_line_total(price, qty) - total) <= tolerance


def decimal_sum(values: Iterable[Decimal]) -> Decimal:
    """Exact sum that stays Decimal even for an empty iterable."""
    return sum(values, Decimal("0"))


def to_fen(amount: Decimal) -> Decimal:
    """Round an amount to fen (0.01 CNY), half-up — the rounding customs applies to tax."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)
