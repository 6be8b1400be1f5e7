"""The input snapshot: validation, canonical form and a hash that ignores row order."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.stats.rewards.errors import SnapshotValidationError
from services.stats.rewards.inputs import (
    Snapshot,
    load_snapshot,
    loads_snapshot,
    parse_snapshot,
    uscc_check_character,
)
from tests.stats.unit.rewards_support import enterprise, park, shuffled_rows, snapshot, snapshots, uscc_for


def _issues(data: dict) -> dict[str, str]:
    with pytest.raises(SnapshotValidationError) as caught:
        parse_snapshot(data)
    return {issue.path: issue.message for issue in caught.value.issues}


def _data(enterprises: list[dict], parks: list[dict] | None = None) -> dict:
    return {
        "snapshot_id": "s",
        "year": 2026,
        "taken_at": "2027-01-01T00:00:00Z",
        "source": "t",
        "enterprises": enterprises,
        "parks": parks or [],
    }


@pytest.mark.parametrize("code", ["91330100716105852F", "9144030071526726XG", "91110000802100433B"])
def test_uscc_check_character_matches_published_codes(code: str):
    assert uscc_check_character(code[:17]) == code[17]


def test_a_mistyped_uscc_is_refused_at_its_row():
    good = uscc_for(1)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    errors = _issues(_data([enterprise(1, uscc=bad)]))
    assert "check character" in errors["enterprises[0].uscc"]


def test_duplicate_party_ids_and_shared_usccs_are_refused():
    rows = [enterprise(1), enterprise(1, name="again"), enterprise(2, uscc=uscc_for(1))]
    errors = _issues(_data(rows))
    assert any("duplicate party_id" in message for message in errors.values())
    assert any("also belongs to party" in message for message in errors.values())


def test_naive_times_are_refused():
    errors = _issues(_data([enterprise(1, applied_at="2027-01-05T09:00:00")]))
    assert "timezone" in errors["enterprises[0].applied_at"]


def test_times_are_stored_in_utc():
    snap = snapshot([enterprise(1, applied_at="2027-01-05T09:00:00+08:00")])
    assert snap.enterprises[0].applied_at == dt.datetime(2027, 1, 5, 1, 0, tzinfo=dt.UTC)
    assert snap.taken_at.tzinfo is dt.UTC


def test_amounts_beyond_the_fen_and_negative_counts_are_refused():
    errors = _issues(_data([enterprise(1, transaction_value="10.005", order_count=-1)]))
    assert "at most 2 decimal places" in errors["enterprises[0].transaction_value"]
    assert "enterprises[0].order_count" in errors


def test_park_membership_must_match_the_kind_of_place():
    rows = [enterprise(1, park_id="INC-1")]
    errors = _issues(_data(rows, [park("INC-1", kind="incubator")]))
    assert "is an incubator, not a park" in errors["enterprises[0].park_id"]


def test_unknown_fields_are_refused():
    errors = _issues(_data([enterprise(1, revenue="5")]))
    assert "enterprises[0].revenue" in errors


def test_hash_is_the_same_for_equal_values_written_differently():
    a = snapshot([enterprise(1, transaction_value="100")])
    b = snapshot([enterprise(1, transaction_value="100.00")])
    assert a.sha256() == b.sha256()
    c = snapshot([enterprise(1, transaction_value="100.01")])
    assert a.sha256() != c.sha256()


def test_canonical_json_round_trips_to_the_same_hash(tmp_path: Path):
    snap = snapshot(
        [enterprise(i, transaction_value=f"{i}000.5") for i in range(5)],
        [park("P1", new_active_enterprises=3)],
    )
    path = tmp_path / "snap.json"
    path.write_bytes(snap.canonical_json())
    again = load_snapshot(path)
    assert again == snap
    assert again.sha256() == snap.sha256()
    decoded = json.loads(snap.canonical_json())
    assert decoded["enterprises"][0]["transaction_value"] == "0.5"  # Decimals are strings
    assert list(decoded) == sorted(decoded)


def test_snapshot_json_floats_become_exact_decimals():
    text = json.dumps(_data([enterprise(1)])).replace(
        '"transaction_value": "0"', '"transaction_value": 1234.56'
    )
    snap = loads_snapshot(text)
    assert snap.enterprises[0].transaction_value == Decimal("1234.56")


@settings(max_examples=40, deadline=None)
@given(data=snapshots(max_enterprises=12), seed=st.integers(0, 2**32 - 1))
def test_row_order_does_not_change_the_canonical_form_or_hash(data: dict, seed: int):
    original = Snapshot.model_validate(data)
    shuffled = shuffled_rows(data, seed)
    again = Snapshot.model_validate(shuffled)
    assert again.canonical_json() == original.canonical_json()
    assert again.sha256() == original.sha256()
