"""Unified social credit code (统一社会信用代码) per GB 32100-2015.

Layout of the 18 characters (1-based positions):

====== ==============================================================
1      registration authority (登记管理部门代码): 1 2 3 4 5 6 7 8 9 A N Y
2      organisation type (机构类别代码), allowed values depend on position 1
3–8    administrative division of the registering office (GB/T 2260)
9–17   organisation code (组织机构代码, GB 11714): 8 body + 1 check character
18     check character (GB/T 17710 / ISO 7064 style, modulus 31)
====== ==============================================================

Alphabet: ``0-9`` and the upper-case letters except I, O, S, V, Z (31 symbols).

What is *not* checked: that the division code is a division that exists (only its
province prefix is checked, since divisions are renamed and merged over time), and
that the code was ever issued — only the registry (国家企业信用信息公示系统) knows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "ALPHABET",
    "ORG_TYPES",
    "PROVINCE_PREFIXES",
    "WEIGHTS",
    "UsccError",
    "UsccParts",
    "UsccReason",
    "check_character",
    "generate_uscc",
    "is_valid_uscc",
    "organisation_code_check_character",
    "parse_uscc",
    "validate_uscc",
]

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
# Weight of position i (0-based) is 3**i mod 31, as the standard's table lists.
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# Position 1 → the position-2 values it allows (GB 32100-2015 with its later
# additions of departments 2-4, 6-8, A and N).
ORG_TYPES: dict[str, dict[str, str]] = {
    "1": {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},  # 机构编制
    "2": {"1": "外国常驻新闻机构", "9": "其他"},  # 外交
    "3": {"1": "律师执业机构", "2": "公证处", "3": "基层法律服务所", "4": "司法鉴定机构",
          "5": "仲裁委员会", "9": "其他"},  # 司法行政
    "4": {"1": "外国在华文化中心", "9": "其他"},  # 文化
    "5": {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"},  # 民政
    "6": {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构",
          "9": "其他"},  # 旅游
    "7": {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"},  # 宗教
    "8": {"1": "基层工会", "9": "其他"},  # 工会
    "9": {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"},  # 工商 / 市场监管
    "A": {"1": "军队事业单位", "9": "其他"},  # 中央军委改革和编制办公室
    "N": {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},  # 农业
    "Y": {"1": "其他"},  # 其他
}  # fmt: skip

# GB/T 2260 province-level prefixes; "10" is the national level (100000), used
# by bodies registered centrally.
PROVINCE_PREFIXES = frozenset(
    "10 11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)

# GB 11714-1997 organisation code: weights for the 8 body characters, modulus 11.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


class UsccReason(StrEnum):
    """Why a code was refused (stable values, usable as API error detail codes)."""

    LENGTH = "length"
    CHARSET = "charset"
    AUTHORITY = "registration_authority"
    ORG_TYPE = "organisation_type"
    DIVISION = "division_code"
    ORG_CODE_CHECK = "organisation_code_check"
    CHECK_CHARACTER = "check_character"


class UsccError(ValueError):
    """A code is not a valid USCC; ``reason`` says which rule failed, ``position`` where (1-based)."""

    def __init__(self, reason: UsccReason, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.position = position


@dataclass(frozen=True, slots=True)
class UsccParts:
    """A valid code split into its fields."""

    code: str
    authority: str
    org_type: str
    org_type_name: str
    division_code: str
    organisation_code: str
    check: str


def _org_char_value(ch: str) -> int:
    # GB 11714 values: digits as themselves, A=10 … Z=35.
    return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10


def organisation_code_check_character(body: str) -> str:
    """Check character (``0-9`` or ``X``) for an 8-character GB 11714 organisation code body."""
    if len(body) != 8:
        raise ValueError("organisation code body must be 8 characters")
    remainder = sum(_org_char_value(ch) * w for ch, w in zip(body, _ORG_WEIGHTS, strict=True)) % 11
    value = 11 - remainder
    return "0" if value == 11 else "X" if value == 10 else str(value)


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (all from :data:`ALPHABET`)."""
    if len(first17) != 17:
        raise ValueError("need exactly 17 characters")
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate_uscc(code: str, *, check_organisation_code: bool = True) -> UsccParts:
    """Validate ``code`` strictly (upper case, no spaces) and return its parts.

    Raises :class:`UsccError` naming the first rule broken, in position order:
    length, alphabet, authority, type, division, organisation-code check, check
    character. ``check_organisation_code=False`` skips the GB 11714 check on
    positions 9–17, for any registry data found to contain codes that fail it.
    """
    if len(code) != 18:
        raise UsccError(UsccReason.LENGTH, f"must be 18 characters, got {len(code)}")
    for pos, ch in enumerate(code, start=1):
        if ch not in _VALUE:
            hint = " (I, O, S, V and Z are never used)" if ch in "IOSVZ" else ""
            raise UsccError(UsccReason.CHARSET, f"character {ch!r} at position {pos} not allowed{hint}", pos)
    authority, org_type = code[0], code[1]
    if authority not in ORG_TYPES:
        raise UsccError(UsccReason.AUTHORITY, f"unknown registration authority {authority!r}", 1)
    if org_type not in ORG_TYPES[authority]:
        raise UsccError(
            UsccReason.ORG_TYPE, f"organisation type {org_type!r} not defined for authority {authority!r}", 2
        )
    division = code[2:8]
    if not division.isdigit():
        raise UsccError(UsccReason.DIVISION, f"division code {division!r} must be 6 digits", 3)
    if division[:2] not in PROVINCE_PREFIXES or (division[:2] == "10" and division != "100000"):
        raise UsccError(UsccReason.DIVISION, f"division code {division!r} has no such province", 3)
    organisation = code[8:17]
    if check_organisation_code and organisation_code_check_character(organisation[:8]) != organisation[8]:
        raise UsccError(
            UsccReason.ORG_CODE_CHECK,
            f"organisation code {organisation} fails its GB 11714 check character",
            17,
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise UsccError(UsccReason.CHECK_CHARACTER, f"check character should be {expected!r}", 18)
    return UsccParts(
        code=code,
        authority=authority,
        org_type=org_type,
        org_type_name=ORG_TYPES[authority][org_type],
        division_code=division,
        organisation_code=organisation,
        check=code[17],
    )


def parse_uscc(raw: str, *, check_organisation_code: bool = True) -> UsccParts:
    """Like :func:`validate_uscc` after trimming spaces and upper-casing user input."""
    return validate_uscc(raw.strip().upper(), check_organisation_code=check_organisation_code)


def is_valid_uscc(code: str) -> bool:
    """True if :func:`validate_uscc` accepts ``code``."""
    try:
        validate_uscc(code)
    except UsccError:
        return False
    return True


_ORG_BODY_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def generate_uscc(division_code: str, seed: int | str, *, authority: str = "9", org_type: str = "1") -> str:
    """A valid, deterministic USCC for tests and demo data (not a real registration).

    The organisation-code body is drawn from the USCC alphabet with a PRNG seeded
    by ``seed``; bodies whose GB 11714 check would be a letter other than ``X`` are
    impossible, so every result validates.
    """
    if authority not in ORG_TYPES or org_type not in ORG_TYPES[authority]:
        raise ValueError(f"no organisation type {org_type!r} under authority {authority!r}")
    if len(division_code) != 6 or not division_code.isdigit():
        raise ValueError("division code must be 6 digits")
    rng = random.Random(f"uscc:{division_code}:{seed}")
    # Real codes issued since 2015 start with MA (market-regulation series); use
    # that shape for realism, then 6 random characters.
    body = "MA" + "".join(rng.choice(_ORG_BODY_ALPHABET) for _ in range(6))
    first17 = authority + org_type + division_code + body + organisation_code_check_character(body)
    code = first17 + check_character(first17)
    validate_uscc(code)
    return code
