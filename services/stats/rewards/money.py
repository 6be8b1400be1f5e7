"""Money and rate types for the reward domain.

All amounts are :class:`decimal.Decimal` in CNY. Binary floats are refused at
the boundary: a float such as ``0.1`` is already wrong before any arithmetic,
and the reward run must be reproducible to the fen. Policy and snapshot files
are parsed so that their decimal literals arrive here as ``Decimal`` (see
:mod:`services.stats.rewards.sources`).
"""

from __future__ import annotations

import decimal
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, PlainSerializer

FEN = Decimal("0.01")
"""The smallest CNY unit the run pays out; every amount is quantized to it."""

ZERO = Decimal("0.00")

# Rates such as 0.8 (trademark) or 0.05 (logistics) never need more digits
# than this; limiting them keeps the canonical form and the hash stable.
MAX_RATE_PLACES = 8

# Enough digits that rate x amount products up to 10^15 CNY stay exact.
_ENGINE_PRECISION = 60

# Validation, canonical text and fen conversion pass this context explicitly:
# a caller running with, say, prec=4 must not change a stored amount or a hash.
EXACT = decimal.Context(
    prec=_ENGINE_PRECISION,
    rounding=decimal.ROUND_HALF_EVEN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)


@contextmanager
def engine_context() -> Iterator[decimal.Context]:
    """A private decimal context so results never depend on the caller's context.

    Traps ``Inexact`` is deliberately *off*: division for the scale factor is
    inexact by nature and is only used for display; the allocation itself is
    done in integer fen.
    """
    with decimal.localcontext(EXACT) as ctx:
        yield ctx


def parse_decimal(value: Any) -> Decimal:
    """Convert an int, str or Decimal to a finite Decimal; refuse floats and booleans."""
    if isinstance(value, bool):
        raise ValueError("expected a decimal number, got a boolean")
    if isinstance(value, float):
        raise ValueError(
            "binary floats are not accepted for money or rates; "
            "write the number as a string (e.g. '0.8') or parse the file with the rewards loader"
        )
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace("_", "")
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"not a decimal number: {value!r}") from None
    else:
        raise ValueError(f"expected a decimal number, got {type(value).__name__}")
    if not result.is_finite():
        raise ValueError("the number must be finite")
    return result


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # finite, checked by parse_decimal
    return max(0, -exponent)


def _check_money(value: Decimal) -> Decimal:
    if value < 0:
        raise ValueError("an amount cannot be negative")
    if _places(value.normalize(EXACT)) > 2:
        raise ValueError("an amount in CNY has at most 2 decimal places (fen)")
    return value.quantize(FEN, context=EXACT)


def _check_rate(value: Decimal) -> Decimal:
    if value < 0:
        raise ValueError("a rate cannot be negative")
    if _places(value.normalize(EXACT)) > MAX_RATE_PLACES:
        raise ValueError(f"a rate has at most {MAX_RATE_PLACES} decimal places")
    return value


def _check_share(value: Decimal) -> Decimal:
    _check_rate(value)
    if value > 1:
        raise ValueError("a share of a cost is between 0 and 1 (e.g. 0.8 for 80%)")
    return value


def canonical_decimal(value: Decimal) -> str:
    """The one text form of a number used for hashing: no exponent, no trailing zeros.

    ``Decimal('100.00')`` and ``Decimal('1E+2')`` both become ``'100'`` so a
    file that writes the same value differently hashes the same.
    """
    if value == 0:
        return "0"
    return format(value.normalize(EXACT), "f")


_serialize = PlainSerializer(canonical_decimal, return_type=str, when_used="json")

Money = Annotated[Decimal, BeforeValidator(parse_decimal), AfterValidator(_check_money), _serialize]
"""A non-negative CNY amount with at most 2 decimals, stored quantized to the fen."""

Rate = Annotated[Decimal, BeforeValidator(parse_decimal), AfterValidator(_check_rate), _serialize]
"""A non-negative multiplier (e.g. CNY per order), at most 8 decimals."""

Share = Annotated[Decimal, BeforeValidator(parse_decimal), AfterValidator(_check_share), _serialize]
"""A fraction of a cost between 0 and 1 (e.g. 0.8 = 80 % of the trademark fee)."""

Number = Annotated[Decimal, BeforeValidator(parse_decimal), _serialize]
"""A threshold in a condition; may be negative (e.g. a growth rate of -0.1)."""


def to_fen(amount: Decimal) -> int:
    """Exact integer fen of an amount that is already quantized to the fen."""
    return int(amount.scaleb(2, EXACT).to_integral_value(rounding=ROUND_DOWN, context=EXACT))


def from_fen(fen: int) -> Decimal:
    """The Decimal amount of an integer number of fen, quantized to 0.01."""
    return Decimal(fen).scaleb(-2, EXACT).quantize(FEN, context=EXACT)


def format_cny(amount: Decimal) -> str:
    """Human text for an explanation line: thousands separators, 2 decimals."""
    return f"{amount:,.2f}"
