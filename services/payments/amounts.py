"""Money as the payments API shows it: the stored NUMERIC(19,5) without its padding.

``1000.00000`` from the database is shown ``1000.00``; a rate ``7.10000`` is ``7.1``;
a figure with more places than cents (a rate, a quantity) keeps them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator

_CENT = Decimal("0.01")


def canonical(value: Decimal) -> Decimal:
    """``value`` to the cent when that is exact, else without trailing zeros."""
    rounded = value.quantize(_CENT)
    if rounded == value:
        return rounded
    return Decimal(format(value.normalize(), "f"))


#: A money field of a response model.
Amount = Annotated[Decimal, AfterValidator(canonical)]

__all__ = ["Amount", "canonical"]
