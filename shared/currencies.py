"""Currency codes: ISO 4217 (banks, SWIFT, ISO 20022) and the customs JGS-20 codes.

Customs messages and the customs monthly rate table (:mod:`shared.fx`) use the
three-digit JGS-20 codes (142 = CNY, 502 = USD); bank statements, SWIFT messages and
payment institutions use ISO 4217 letters. Payments speaks ISO to its parties and
converts with the customs table, so both sides meet here.
"""

from __future__ import annotations

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


__all__ = ["CUSTOMS_TO_ISO", "ISO_TO_CUSTOMS", "UnknownCurrency", "is_known", "to_customs", "to_iso"]
