"""The 10-character customs registration code (海关注册编码 / 海关编码).

Customs assigns it when an enterprise registers (备案) as a consignor/consignee or
declaring enterprise. Its structure is not published as a standard with a check
character; what public customs Q&A and declaration-filling guides agree on is:

====== =================================================================
1–4    administrative division of the registration place: province (2
       digits, GB/T 2260) + city (2 digits; "90" = directly governed units)
5      economic zone: 1 special economic zone, 2 economic-technological
       development zone (and Pudong, Yangpu), 3 high-tech zone, 4 bonded
       zone, 5 export processing zone, 6 bonded port area / comprehensive
       bonded zone, 7 bonded logistics park, 9 other
6      enterprise type: 1 state-owned, 2 Sino-foreign contractual JV,
       3 Sino-foreign equity JV, 4 wholly foreign-owned, 5 collective,
       6 private, 7 individual business, 8 customs broker without trading
       rights, 9 other; letters occur in issued codes (e.g. processing-trade
       registrations), so any A-Z is accepted
7–10   sequence, digits or upper-case letters (issued codes such as
       ``46121601BC`` and ``4101960AGP`` appear in the official samples)
====== =================================================================

What :func:`validate_customs_code` checks: length 10; characters ``0-9A-Z``;
positions 1–4 digits with a known province prefix; position 5 a digit.
What it does **not** check: that the city or zone digit exists, the meaning of
position 6, or that the code was ever issued — there is no check character, so a
typo that keeps the format passes. Only customs (via the single window) can
confirm a code; treat a format pass as "plausible", not "verified".

In customs messages an enterprise-code field (ebcCode, agentCode …, C..18)
holds either this 10-character code or an 18-character USCC;
:func:`enterprise_code_kind` tells which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from services.gateway.parties.uscc import PROVINCE_PREFIXES, UsccError, validate_uscc

__all__ = [
    "ECONOMIC_ZONES",
    "ENTERPRISE_TYPES",
    "CustomsCodeError",
    "CustomsCodeParts",
    "CustomsCodeReason",
    "enterprise_code_kind",
    "is_valid_customs_code",
    "validate_customs_code",
]

ECONOMIC_ZONES = {
    "1": "经济特区",
    "2": "经济技术开发区",
    "3": "高新技术产业开发区",
    "4": "保税区",
    "5": "出口加工区",
    "6": "保税港区/综合保税区",
    "7": "保税物流园区",
    "9": "其他",
}
ENTERPRISE_TYPES = {
    "1": "国有企业",
    "2": "中外合作企业",
    "3": "中外合资企业",
    "4": "外商独资企业",
    "5": "集体企业",
    "6": "私营企业",
    "7": "个体工商户",
    "8": "有报关权而无进出口经营权的企业",
    "9": "其他",
}

_CHARSET = re.compile(r"[0-9A-Z]{10}")


class CustomsCodeReason(StrEnum):
    """Why a customs code was refused."""

    LENGTH = "length"
    CHARSET = "charset"
    DIVISION = "division_code"
    ECONOMIC_ZONE = "economic_zone"


class CustomsCodeError(ValueError):
    """A string is not a well-formed customs registration code."""

    def __init__(self, reason: CustomsCodeReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True, slots=True)
class CustomsCodeParts:
    """A well-formed code split into its fields; names are None where unknown."""

    code: str
    division_prefix: str
    economic_zone: str
    economic_zone_name: str | None
    enterprise_type: str
    enterprise_type_name: str | None
    sequence: str


def validate_customs_code(code: str) -> CustomsCodeParts:
    """Check the format described in the module docstring; raise :class:`CustomsCodeError`."""
    if len(code) != 10:
        raise CustomsCodeError(CustomsCodeReason.LENGTH, f"must be 10 characters, got {len(code)}")
    if not _CHARSET.fullmatch(code):
        raise CustomsCodeError(CustomsCodeReason.CHARSET, "only digits and upper-case letters A-Z")
    division = code[:4]
    if not division.isdigit() or division[:2] not in PROVINCE_PREFIXES or division[:2] == "10":
        raise CustomsCodeError(
            CustomsCodeReason.DIVISION, f"positions 1-4 {division!r} are not a province + city code"
        )
    if not code[4].isdigit():
        raise CustomsCodeError(CustomsCodeReason.ECONOMIC_ZONE, f"position 5 {code[4]!r} must be a digit")
    return CustomsCodeParts(
        code=code,
        division_prefix=division,
        economic_zone=code[4],
        economic_zone_name=ECONOMIC_ZONES.get(code[4]),
        enterprise_type=code[5],
        enterprise_type_name=ENTERPRISE_TYPES.get(code[5]),
        sequence=code[6:],
    )


def is_valid_customs_code(code: str) -> bool:
    """True if :func:`validate_customs_code` accepts ``code``."""
    try:
        validate_customs_code(code)
    except CustomsCodeError:
        return False
    return True


def enterprise_code_kind(code: str) -> Literal["customs", "uscc"] | None:
    """Which kind of enterprise code ``code`` is, or None if it is neither (well-formed)."""
    if len(code) == 10:
        return "customs" if is_valid_customs_code(code) else None
    if len(code) == 18:
        try:
            validate_uscc(code)
        except UsccError:
            return None
        return "uscc"
    return None
