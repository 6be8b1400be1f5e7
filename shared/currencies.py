"""Currency codes: ISO 4217 (banks, SWIFT, ISO 20022) and the customs JGS-20 codes.

Customs messages and the customs monthly rate table (:mod:`shared.fx`) use the
three-digit JGS-20 codes (142 = CNY, 502 = USD); bank statements, SWIFT messages and
payment institutions use ISO 4217 letters. Payments speaks ISO to its parties and
converts with the customs table, so both sides meet here.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType

#: ISO 4217 alphabetic code → customs JGS-20 currency code.
ISO_TO_CUSTOMS = MappingProxyType(
    {
        "HKD": "110",
        "JPY": "116",
        "MOP": "121",
        "PHP": "129",
        "SGD": "132",
        "KRW": "133",
        "THB": "136",
        "CNY": "142",
        "EUR": "300",
        "DKK": "302",
        "GBP": "303",
        "NOK": "326",
        "SEK": "330",
        "CHF": "331",
        "RUB": "344",
        "CAD": "501",
        "USD": "502",
        "AUD": "601",
        "NZD": "609",
    }
)
CUSTOMS_TO_ISO = MappingProxyType({customs: iso for iso, customs in ISO_TO_CUSTOMS.items()})

#: Offshore renminbi (CNH) settles as CNY on the platform (the same currency, another market).
_ALIASES = MappingProxyType({"CNH": "CNY", "RMB": "CNY"})


class UnknownCurrency(ValueError):
    """Not an ISO 4217 or customs code the platform knows."""


def to_customs(code: str) -> str:
    """The customs code of an ISO (``USD``) or customs (``502``) code."""
    value = code.strip().upper()
    if value in CUSTOMS_TO_ISO:
        return value
    value = _ALIASES.get(value, value)
    try:
        return ISO_TO_CUSTOMS[value]
    except KeyError:
        raise UnknownCurrency(f"unknown currency {code!r}") from None


def to_iso(code: str) -> str:
    """The ISO 4217 code of a customs (``502``) or ISO (``usd``) code."""
    value = code.strip().upper()
    if value in CUSTOMS_TO_ISO:
        return CUSTOMS_TO_ISO[value]
    value = _ALIASES.get(value, value)
    if value in ISO_TO_CUSTOMS:
        return value
    raise UnknownCurrency(f"unknown currency {code!r}")


def is_known(code: str) -> bool:
    """True for an ISO or customs code the platform knows."""
    try:
        to_iso(code)
    except UnknownCurrency:
        return False
    return True


#: ISO 4217 minor-unit digits where they are not two (of the currencies above).
_MINOR_DIGITS = MappingProxyType({"JPY": 0, "KRW": 0})


def minor_digits(code: str) -> int:
    """Decimal places of the currency's minor unit (ISO 4217): 2 for CNY and USD, 0 for JPY."""
    return _MINOR_DIGITS.get(to_iso(code), 2)


def display(amount: Decimal, code: str = "CNY") -> str:
    """``amount`` as a person reads it: at its currency's precision, rounded half up.

    For answers, messages and exports; customs XML keeps the precision its XSD allows
    (N19,5), and stored amounts are never rounded by this.
    """
    exponent = Decimal(1).scaleb(-minor_digits(code))
    return format(amount.quantize(exponent, rounding=ROUND_HALF_UP), "f")


__all__ = [
    "CUSTOMS_TO_ISO",
    "ISO_TO_CUSTOMS",
    "UnknownCurrency",
    "display",
    "is_known",
    "minor_digits",
    "to_customs",
    "to_iso",
]
