"""Customs registration code (海关注册编码): the format checks and what they leave unchecked."""

from __future__ import annotations

import pytest

from services.gateway.parties.customs_code import (
    CustomsCodeError,
    CustomsCodeReason,
    enterprise_code_kind,
    is_valid_customs_code,
    validate_customs_code,
)
from services.gateway.parties.uscc import generate_uscc

# Codes that appear in the official 202205 message samples (tests/declaration/fixtures/official)
# and in the customs reference notes.
OFFICIAL_SAMPLE_CODES = ["1105910159", "1101110323", "1105980159", "46121601BC", "4101960AGP"]


@pytest.mark.parametrize("code", [*OFFICIAL_SAMPLE_CODES, "3207960ABC", "3207260001"])
def test_well_formed_codes(code) -> None:
    assert is_valid_customs_code(code)


def test_parts_are_decoded() -> None:
    parts = validate_customs_code("3207260001")
    assert parts.division_prefix == "3207"
    assert parts.economic_zone_name == "经济技术开发区"
    assert parts.enterprise_type_name == "私营企业"
    assert parts.sequence == "0001"


def test_letters_in_position_six_are_accepted_but_not_named() -> None:
    parts = validate_customs_code("32079A0001")
    assert parts.enterprise_type == "A" and parts.enterprise_type_name is None


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("320796000", CustomsCodeReason.LENGTH),
        ("32079600011", CustomsCodeReason.LENGTH),
        ("3207960abc", CustomsCodeReason.CHARSET),
        ("3207 60001", CustomsCodeReason.CHARSET),
        ("A000080003", CustomsCodeReason.DIVISION),  # a placeholder in one official sample
        ("9907960001", CustomsCodeReason.DIVISION),
        ("1000960001", CustomsCodeReason.DIVISION),
        ("3207A60001", CustomsCodeReason.ECONOMIC_ZONE),
    ],
)
def test_malformed_codes(code, reason) -> None:
    with pytest.raises(CustomsCodeError) as caught:
        validate_customs_code(code)
    assert caught.value.reason is reason


def test_no_check_character_means_a_typo_can_pass() -> None:
    # Documented limitation: without a check character, a one-digit typo stays well formed.
    assert is_valid_customs_code("3207960ABC") and is_valid_customs_code("3207960ABD")


def test_enterprise_code_kind() -> None:
    assert enterprise_code_kind("3207960ABC") == "customs"
    assert enterprise_code_kind(generate_uscc("320706", 1)) == "uscc"
    assert enterprise_code_kind("91350100M000100Y44") is None
    assert enterprise_code_kind("无") is None
    assert enterprise_code_kind("110108130000000007") is None
