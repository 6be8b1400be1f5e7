"""Unified social credit code validation (GB 32100-2015) and the demo-code generator."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.gateway.parties.uscc import (
    ALPHABET,
    WEIGHTS,
    UsccError,
    UsccReason,
    check_character,
    generate_uscc,
    is_valid_uscc,
    organisation_code_check_character,
    parse_uscc,
    validate_uscc,
)

LYG_DIVISIONS = ["320700", "320703", "320706", "320707", "320722", "320723", "320724"]

# Codes in the public, real format. The first is the example printed in explanations of
# GB 32100-2015; the others were taken from public registry listings. Their check characters
# are verified by the hand computation in test_hand_computed_check_character, not assumed.
PUBLIC_CODES = [
    "91350100M000100Y43",
    "914403001922038216",
    "91440300708461136T",
    "11100000000013127D",  # a central-level body: division 100000
]


def _reason(code: str) -> UsccReason:
    with pytest.raises(UsccError) as caught:
        validate_uscc(code)
    return caught.value.reason


def test_weights_are_powers_of_three_mod_31() -> None:
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(ALPHABET) == 31 and not set("IOSVZ") & set(ALPHABET)


def test_hand_computed_check_character() -> None:
    # 914403001922038216, written out as one would by hand:
    #   values  9 1 4  4  0  3  0  0  1  9  2  2 0  3  8  2  1
    #   weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
    #   products 9+3+36+108+0+78+0+0+20+261+50+26+0+72+80+60+28 = 831
    #   831 mod 31 = 25; 31 - 25 = 6  → check character "6"
    assert 9 + 3 + 36 + 108 + 0 + 78 + 0 + 0 + 20 + 261 + 50 + 26 + 0 + 72 + 80 + 60 + 28 == 831
    assert check_character("91440300192203821") == "6"
    # Its organisation code 19220382-1 (GB 11714, weights 3 7 9 10 5 8 4 2, mod 11):
    #   3+63+18+20+0+24+32+4 = 164; 164 mod 11 = 10; 11 - 10 = 1 → "1"
    assert organisation_code_check_character("19220382") == "1"
    # 91350100M000100Y43: M counts 21 in the USCC alphabet and 22 in GB 11714's (A=10…Z=35).
    assert check_character("91350100M000100Y4") == "3"
    assert organisation_code_check_character("M000100Y") == "4"


@pytest.mark.parametrize("code", PUBLIC_CODES)
def test_public_codes_are_valid(code) -> None:
    parts = validate_uscc(code)
    assert parts.code == code and parts.check == code[-1]


def test_parts() -> None:
    parts = validate_uscc("91350100M000100Y43")
    assert (parts.authority, parts.org_type, parts.org_type_name) == ("9", "1", "企业")
    assert parts.division_code == "350100" and parts.organisation_code == "M000100Y4"


@given(st.sampled_from(LYG_DIVISIONS), st.integers())
def test_generated_codes_are_valid_and_deterministic(division, seed) -> None:
    code = generate_uscc(division, seed)
    assert is_valid_uscc(code)
    assert code.startswith("91" + division + "MA")
    assert generate_uscc(division, seed) == code


def test_generator_other_types_and_seeds() -> None:
    assert generate_uscc("320722", "crystal-1") != generate_uscc("320722", "crystal-2")
    assert validate_uscc(generate_uscc("320706", 7, org_type="2")).org_type_name == "个体工商户"
    assert validate_uscc(generate_uscc("320706", 7, authority="5", org_type="1")).org_type_name == "社会团体"
    with pytest.raises(ValueError):
        generate_uscc("320706", 1, org_type="9")  # 工商 has no type 9
    with pytest.raises(ValueError):
        generate_uscc("3207", 1)


_valid_codes = st.builds(generate_uscc, st.sampled_from(LYG_DIVISIONS), st.integers()) | st.sampled_from(
    PUBLIC_CODES
)


@given(_valid_codes, st.integers(min_value=0, max_value=17), st.sampled_from(ALPHABET))
def test_every_single_character_substitution_is_rejected(code, position, replacement) -> None:
    if code[position] == replacement:
        replacement = ALPHABET[(ALPHABET.index(replacement) + 1) % len(ALPHABET)]
    mutated = code[:position] + replacement + code[position + 1 :]
    assert not is_valid_uscc(mutated)


@given(_valid_codes, st.integers(min_value=0, max_value=16))
def test_every_adjacent_transposition_is_rejected(code, position) -> None:
    if code[position] == code[position + 1]:
        return
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    assert not is_valid_uscc(swapped)


@given(_valid_codes, st.integers(min_value=0, max_value=17), st.sampled_from("IOSVZ"))
def test_forbidden_letters_are_rejected_with_a_hint(code, position, letter) -> None:
    mutated = code[:position] + letter + code[position + 1 :]
    with pytest.raises(UsccError) as caught:
        validate_uscc(mutated)
    assert caught.value.reason is UsccReason.CHARSET
    assert caught.value.position == position + 1
    assert "never used" in caught.value.message


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91350100M000100Y4", UsccReason.LENGTH),
        ("91350100M000100Y433", UsccReason.LENGTH),
        ("", UsccReason.LENGTH),
        ("91350100m000100Y43", UsccReason.CHARSET),
        ("91350100M000100Y4 ", UsccReason.CHARSET),
        ("B1350100M000100Y43", UsccReason.AUTHORITY),
        ("94350100M000100Y43", UsccReason.ORG_TYPE),
        ("Y2350100M000100Y43", UsccReason.ORG_TYPE),
        ("9135A100M000100Y43", UsccReason.DIVISION),
        ("91990100M000100Y43", UsccReason.DIVISION),
        ("91101000M000100Y43", UsccReason.DIVISION),
        ("91350100M000100Y53", UsccReason.ORG_CODE_CHECK),
        ("91350100M000100Y44", UsccReason.CHECK_CHARACTER),
    ],
)
def test_precise_reasons(code, reason) -> None:
    assert _reason(code) is reason


def test_check_character_message_names_the_expected_character() -> None:
    with pytest.raises(UsccError) as caught:
        validate_uscc("91350100M000100Y44")
    assert "'3'" in caught.value.message and caught.value.position == 18


def test_organisation_code_check_can_be_skipped() -> None:
    first17 = "91350100M000100Y5"  # organisation code check fails, overall check made to fit
    code = first17 + check_character(first17)
    assert _reason(code) is UsccReason.ORG_CODE_CHECK
    assert validate_uscc(code, check_organisation_code=False).code == code


def test_parse_uscc_normalises_user_input() -> None:
    assert parse_uscc("  91350100m000100y43 ").code == "91350100M000100Y43"
