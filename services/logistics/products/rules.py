"""Rules of products: whose goods a caller may act for, and the customs fields' own checks.

Pure: no session, no clock.
"""

from __future__ import annotations

from typing import Literal

from shared.identity import Identity

#: How a lithium battery travels with the goods (IATA DGR: UN3481 PI 966/967, UN3480/UN3090).
Battery = Literal["none", "contained_in_equipment", "packed_with_equipment", "battery_only"]

MERCHANT_ROLES = ("ecommerce_enterprise", "ecommerce_platform")


def may_act_for(identity: Identity, owner_party_id: str) -> bool:
    """The goods' owner itself, or a platform the owner delegated to (``on_behalf_of``)."""
    return identity.party_id == owner_party_id or owner_party_id in identity.on_behalf_of


def has_battery(battery: str) -> bool:
    """The battery flag carriers and warehouses route by."""
    return battery != "none"


def gtin_check_digit_ok(code: str) -> bool:
    """GS1 check digit of a GTIN-8/12/13/14 (the last digit)."""
    if not code.isdigit() or len(code) not in (8, 12, 13, 14):
        return False
    digits = [int(c) for c in code]
    body, check = digits[:-1], digits[-1]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def has_chinese(text: str) -> bool:
    """At least one CJK ideograph: a declared Chinese name must be written in Chinese."""
    return any("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" for ch in text)
