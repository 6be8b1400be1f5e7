"""Exact decimals as the API writes them: at least two places, at most the precision kept."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import PlainSerializer


def decimal_text(value: Decimal, places: int = 2, most: int = 4) -> str:
    """``12.5`` → ``"12.50"``; ``0.12345`` → ``"0.1235"`` (half-up at ``most`` places)."""
    exact = value.quantize(Decimal(1).scaleb(-most), rounding=ROUND_HALF_UP)
    text = format(exact, "f")
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0").ljust(places, "0")
    return f"{whole}.{fraction}" if fraction else whole


#: A decimal answered as text with 2 to 4 places (values, areas).
DecimalText = Annotated[Decimal, PlainSerializer(decimal_text, return_type=str, when_used="json")]
#: Two places exactly (money in CNY, areas).
Cents = Annotated[
    Decimal, PlainSerializer(lambda v: decimal_text(v, 2, 2), return_type=str, when_used="json")
]
