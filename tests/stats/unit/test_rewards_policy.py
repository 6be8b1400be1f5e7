"""The policy file: the example loads and is marked as one; bad files are refused with exact paths."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.stats.rewards.errors import PolicyValidationError
from services.stats.rewards.policy import (
    EXAMPLE_POLICY_PATH,
    Compare,
    PlatformStatisticsItem,
    PolicyStatus,
    load_policy,
    loads_policy,
    parse_policy,
)
from tests.stats.unit.rewards_support import example_policy_data


def _errors(data: object) -> dict[str, str]:
    with pytest.raises(PolicyValidationError) as caught:
        parse_policy(data)
    assert caught.value.code == "rewards.policy.invalid"
    return {issue.path: issue.message for issue in caught.value.issues}


def test_example_policy_loads_and_is_marked_as_an_example_in_file_and_field():
    policy = load_policy(EXAMPLE_POLICY_PATH)
    assert policy.status is PolicyStatus.EXAMPLE
    assert "example" in policy.policy_id
    head = EXAMPLE_POLICY_PATH.read_text("utf-8").splitlines()[:5]
    assert any("EXAMPLE POLICY" in line and "ILLUSTRATIVE" in line for line in head)


def test_example_policy_carries_the_ceilings_of_the_policy_text():
    policy = load_policy(EXAMPLE_POLICY_PATH)
    items = {item.id: item for item in policy.items}
    assert items["PS"].cap == Decimal("100000.00")
    assert items["OW"].levels == {"municipal": Decimal("300000.00"), "provincial": Decimal("500000.00")}
    assert items["TM"].rate == Decimal("0.8")
    assert items["PARK"].caps == {"park": Decimal("3000000.00"), "incubator": Decimal("1000000.00")}
    assert policy.budget.allocation.method == "pro_rata"


def test_decimal_literals_are_read_from_source_text_not_through_floats():
    policy = load_policy(EXAMPLE_POLICY_PATH)
    rate = next(item for item in policy.items if item.id == "RMB").rate
    assert rate == Decimal("0.002") and isinstance(rate, Decimal)


def test_policy_hash_ignores_formatting_and_number_spelling_but_not_content():
    data = example_policy_data()
    from_yaml = load_policy(EXAMPLE_POLICY_PATH)
    as_json = json.dumps(data, default=str, indent=4, ensure_ascii=False)
    from_json = loads_policy(as_json, "json")
    assert from_json.sha256() == from_yaml.sha256()

    data["budget"]["total"] = "8.0E+6"  # same value, other spelling
    assert parse_policy(data).sha256() == from_yaml.sha256()

    data["budget"]["total"] = "8000000.01"
    assert parse_policy(data).sha256() != from_yaml.sha256()


def test_policy_loads_from_a_json_file(tmp_path: Path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps(example_policy_data(), default=str, ensure_ascii=False), "utf-8")
    assert load_policy(path).policy_id == "lyg-cbec-rewards-2026-example"


def test_unknown_keys_are_refused_with_their_path():
    data = example_policy_data()
    data["items"][0]["value_tiers"][0]["bonus"] = 5
    data["budgett"] = {}
    errors = _errors(data)
    assert "items[0].value_tiers[0].bonus" in errors
    assert "budgett" in errors


def test_error_path_names_the_bad_field_inside_a_tagged_item():
    data = example_policy_data()
    data["items"][3]["scale_tiers"][1]["rate"] = "1.5"  # logistics share above 100 %
    errors = _errors(data)
    assert list(errors) == ["items[3].scale_tiers[1].rate"]
    assert "between 0 and 1" in errors["items[3].scale_tiers[1].rate"]


def test_unknown_item_kind_is_reported_at_the_item():
    data = example_policy_data()
    data["items"][1]["kind"] = "lottery"
    errors = _errors(data)
    assert "must be one of" in errors["items[1]"]


def test_tiers_out_of_order_point_to_the_offending_tier():
    data = example_policy_data()
    data["items"][0]["value_tiers"][2]["min"] = 3000000  # below tier 1's 5,000,000
    errors = _errors(data)
    assert list(errors) == ["items[0].value_tiers[2].min"]
    assert "strictly increasing" in errors["items[0].value_tiers[2].min"]


def test_duplicate_item_ids_and_unknown_metrics_are_located():
    data = example_policy_data()
    data["items"][2]["id"] = "PS"
    data["items"][0]["eligibility"][1]["condition"]["any_of"][1]["all_of"][0]["metric"] = (
        "new_active_enterprises"
    )
    errors = _errors(data)
    assert "duplicate item id" in errors["items[2].id"]
    path = "items[0].eligibility[1].condition.any_of[1].all_of[0].metric"
    assert "not available for a enterprise" in errors[path]


def test_a_misspelt_metric_is_a_validation_error_not_a_false_condition():
    data = example_policy_data()
    data["items"][2]["eligibility"][0]["condition"]["metric"] = "rmb_amount"
    errors = _errors(data)
    assert list(errors) == ["items[2].eligibility[0].condition.metric"]


def test_a_matter_cannot_mix_enterprise_and_park_items():
    data = example_policy_data()
    data["items"][6]["matter"] = "platform-statistics"
    errors = _errors(data)
    assert "就高不重复" in errors["items[6].matter"]


def test_a_tier_pays_exactly_one_way():
    data = example_policy_data()
    data["items"][0]["value_tiers"][0]["rate"] = "0.01"
    errors = _errors(data)
    assert "exactly one of 'amount' or 'rate'" in errors["items[0].value_tiers[0]"]


def test_money_with_more_than_two_decimals_is_refused():
    data = example_policy_data()
    data["budget"]["total"] = "100.001"
    assert "at most 2 decimal places" in _errors(data)["budget.total"]


def test_binary_floats_are_refused_programmatically():
    data = example_policy_data()
    data["items"][5]["rate"] = 0.8
    assert "floats are not accepted" in _errors(data)["items[5].rate"]


def test_ranked_allocation_needs_an_ordering_key():
    data = example_policy_data()
    data["budget"]["allocation"] = {"method": "ranked"}
    assert "budget.allocation.ranked.order_by" in _errors(data) or "budget.allocation.order_by" in _errors(
        data
    )


def test_ranked_allocation_key_must_be_known():
    data = example_policy_data()
    data["budget"]["allocation"] = {"method": "ranked", "order_by": [{"key": "popularity"}]}
    errors = _errors(data)
    assert any(path.endswith("order_by[0].key") for path in errors)


def test_duplicate_yaml_keys_are_refused_with_a_line_number():
    text = EXAMPLE_POLICY_PATH.read_text("utf-8").replace("year: 2026\n", "year: 2026\nyear: 2025\n", 1)
    with pytest.raises(PolicyValidationError) as caught:
        loads_policy(text)
    assert "duplicate key 'year'" in caught.value.issues[0].message
    assert "line" in caught.value.issues[0].message


def test_duplicate_json_keys_are_refused():
    with pytest.raises(PolicyValidationError) as caught:
        loads_policy('{"year": 2026, "year": 2027}', "json")
    assert "duplicate key" in caught.value.issues[0].message


def test_yaml_syntax_errors_carry_a_position():
    with pytest.raises(PolicyValidationError) as caught:
        loads_policy("items: [\n  - a: b\n")
    assert "line" in caught.value.issues[0].message


def test_conditions_nest_any_all_not():
    data = example_policy_data()
    data["items"][2]["eligibility"][0]["condition"] = {
        "not": {"any_of": [{"flag": "sanctioned"}, {"metric": "transaction_value", "op": "<", "value": 1}]}
    }
    policy = parse_policy(data)
    condition = policy.items[2].eligibility[0].condition
    assert isinstance(condition.not_.any_of[1], Compare)  # type: ignore[union-attr]


_TOP_LEVEL_PATHS = ["year", "currency", "status", "schema_version", "policy_id"]


@settings(max_examples=60, deadline=None)
@given(
    item=st.integers(0, 1),
    tier=st.integers(0, 4),
    field=st.sampled_from(["min", "amount"]),
    bad=st.sampled_from(["-1", "abc", "1.234", True, None]),
)
def test_any_bad_tier_field_is_reported_at_its_own_path(item: int, tier: int, field: str, bad: object):
    data = example_policy_data()
    tiers = data["items"][item]["value_tiers"]
    tier = tier % len(tiers)
    if field == "min" and bad == "1.234":
        bad = "-0.5"  # thresholds may have any precision; only money is limited to the fen
    tiers[tier][field] = bad
    if field == "amount" and bad is None:
        expected = f"items[{item}].value_tiers[{tier}]"  # then the tier pays no way at all
    else:
        expected = f"items[{item}].value_tiers[{tier}].{field}"
    with pytest.raises(PolicyValidationError) as caught:
        parse_policy(data)
    assert expected in {issue.path for issue in caught.value.issues}


@settings(max_examples=30, deadline=None)
@given(path=st.sampled_from(_TOP_LEVEL_PATHS), bad=st.sampled_from(["", "x" * 200, -5, [], {"a": 1}]))
def test_bad_top_level_fields_are_reported_at_their_name(path: str, bad: object):
    data = example_policy_data()
    data[path] = bad
    with pytest.raises(PolicyValidationError) as caught:
        parse_policy(data)
    assert path in {issue.path for issue in caught.value.issues}


def test_policy_models_are_immutable():
    policy = load_policy(EXAMPLE_POLICY_PATH)
    item = policy.items[0]
    assert isinstance(item, PlatformStatisticsItem)
    with pytest.raises(Exception):  # noqa: B017 - pydantic raises ValidationError for frozen models
        item.cap = Decimal(1)  # type: ignore[misc]
