"""Builders and hypothesis strategies shared by the reward-run tests."""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from services.stats.rewards.inputs import Snapshot, uscc_check_character
from services.stats.rewards.policy import EXAMPLE_POLICY_PATH, Policy, parse_policy
from services.stats.rewards.sources import parse_document

YEAR = 2026
UTC = dt.UTC


def example_policy_data() -> dict[str, Any]:
    """The shipped example policy as plain data (Decimals from the source text), safe to modify."""
    return copy.deepcopy(parse_document(EXAMPLE_POLICY_PATH.read_text("utf-8"), "yaml"))


def example_policy(**overrides: Any) -> Policy:
    """The example policy with top-level keys replaced."""
    data = example_policy_data()
    data.update(overrides)
    return parse_policy(data)


def uscc_for(index: int) -> str:
    """A valid USCC unique to the index."""
    body = f"91320700{index:09d}"
    return body + uscc_check_character(body)


ALL_FLAGS_OK = {
    "registered_locally": True,
    "serious_dishonesty": False,
    "duplicate_application": False,
    "counted_in_platform_statistics": True,
    "first_application": True,
    "first_year_cbec": False,
    "uses_local_logistics": True,
}


def enterprise(index: int, **fields: Any) -> dict[str, Any]:
    """Plain data for one enterprise that passes every common rule; override any field."""
    row: dict[str, Any] = {
        "party_id": f"E{index:05d}",
        "name": f"测试企业{index}",
        "uscc": uscc_for(index),
        "district": "海州区",
        "transaction_value": "0",
        "transaction_value_prev": "0",
        "order_count": 0,
        "order_count_prev": 0,
        "flags": dict(ALL_FLAGS_OK),
    }
    flags = fields.pop("flags", None)
    row.update(fields)
    if flags is not None:
        row["flags"] = {**ALL_FLAGS_OK, **flags}
    return row


def park(park_id: str, kind: str = "park", **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "park_id": park_id,
        "kind": kind,
        "name": f"测试{park_id}",
        "district": "连云区",
        "new_active_enterprises": 0,
        "new_active_transaction_value": "0",
        "flags": {"certified": True},
    }
    row.update(fields)
    return row


def snapshot(
    enterprises: list[dict[str, Any]],
    parks: list[dict[str, Any]] | None = None,
    snapshot_id: str = "snap-test",
) -> Snapshot:
    return Snapshot.model_validate(
        {
            "snapshot_id": snapshot_id,
            "year": YEAR,
            "taken_at": "2027-01-10T08:00:00+08:00",
            "source": "unit test",
            "enterprises": enterprises,
            "parks": parks or [],
        }
    )


# --------------------------------------------------------------------------- strategies

fen_amounts = st.integers(min_value=0, max_value=10**11).map(lambda fen: str(Decimal(fen) / 100))
"""Amounts from 0 to 1 bn CNY as decimal strings with up to two places."""

large_values = st.one_of(
    st.integers(0, 3_000_000_000).map(str),  # whole yuan across every tier
    fen_amounts,
)


@st.composite
def enterprise_rows(draw: st.DrawFn, index: int) -> dict[str, Any]:
    flags = {
        name: draw(st.booleans()) if draw(st.integers(0, 9)) == 0 else value
        for name, value in ALL_FLAGS_OK.items()
    }
    row = enterprise(
        index,
        transaction_value=draw(large_values),
        transaction_value_prev=draw(large_values),
        order_count=draw(st.integers(0, 3_000_000)),
        order_count_prev=draw(st.integers(0, 3_000_000)),
        rmb_settlement_amount=draw(st.one_of(st.just("0"), large_values)),
        intl_logistics_cost=draw(st.one_of(st.just("0"), fen_amounts)),
        flags=flags,
    )
    row["flags"]["first_year_cbec"] = draw(st.booleans())
    if draw(st.integers(0, 4)) == 0:
        row["warehouse_months_reported"] = draw(st.integers(0, 12))
        levels = draw(st.lists(st.sampled_from(["municipal", "provincial"]), min_size=1, max_size=2))
        row["certified_warehouses"] = [
            {
                "warehouse_id": f"W{index}",
                "name": "仓",
                "country": "DE",
                "level": level,
                "certified_on": f"{draw(st.sampled_from([YEAR, YEAR - 1]))}-06-01",
            }
            for level in levels
        ]
    if draw(st.integers(0, 4)) == 0:
        row["trademark_fees"] = [
            {
                "application_no": f"T{index}-{k}",
                "jurisdiction": "US",
                "fee": draw(fen_amounts.filter(lambda s: Decimal(s) < 10**6)),
                "paid_on": f"{YEAR}-03-01",
            }
            for k in range(draw(st.integers(1, 3)))
        ]
    if draw(st.booleans()):
        row["applied_at"] = (
            dt.datetime(YEAR + 1, 1, 5, tzinfo=UTC) + dt.timedelta(minutes=draw(st.integers(0, 100_000)))
        ).isoformat()
    return row


@st.composite
def snapshots(draw: st.DrawFn, max_enterprises: int = 25) -> dict[str, Any]:
    """Plain snapshot data with random enterprises and parks."""
    count = draw(st.integers(1, max_enterprises))
    rows = [draw(enterprise_rows(i)) for i in range(count)]
    parks = [
        park(
            f"P{i}",
            kind=draw(st.sampled_from(["park", "incubator"])),
            new_active_enterprises=draw(st.integers(0, 200)),
            new_active_transaction_value=draw(large_values),
            flags={"certified": draw(st.booleans())},
        )
        for i in range(draw(st.integers(0, 4)))
    ]
    return {
        "snapshot_id": "snap-prop",
        "year": YEAR,
        "taken_at": "2027-01-10T00:00:00Z",
        "source": "hypothesis",
        "enterprises": rows,
        "parks": parks,
    }


def shuffled_rows(data: dict[str, Any], seed: int) -> dict[str, Any]:
    """A copy of snapshot data with every list a snapshot sorts on validation in a random order.

    Both the canonical form and the engine promise not to depend on row order, so their
    tests shuffle the same lists: enterprises, parks, and each enterprise's trademark
    fees and certified warehouses.
    """
    shuffled = json.loads(json.dumps(data))
    rng = random.Random(seed)
    rng.shuffle(shuffled["enterprises"])
    rng.shuffle(shuffled["parks"])
    for row in shuffled["enterprises"]:
        rng.shuffle(row.get("trademark_fees", []))
        rng.shuffle(row.get("certified_warehouses", []))
    return shuffled


@st.composite
def budgets(draw: st.DrawFn) -> dict[str, Any]:
    """A budget section: small totals (so scaling happens) to large ones; pro-rata or ranked."""
    total = draw(st.one_of(st.integers(1, 10_000), st.integers(10_000, 5_000_000), st.integers(1, 10**9)))
    fen = draw(st.integers(0, 99))
    if draw(st.booleans()):
        allocation: dict[str, Any] = {"method": "pro_rata"}
    else:
        keys = draw(
            st.lists(
                st.sampled_from(["amount", "transaction_value", "applied_at", "subject_id"]),
                min_size=1,
                max_size=3,
                unique=True,
            )
        )
        allocation = {
            "method": "ranked",
            "order_by": [{"key": k, "direction": draw(st.sampled_from(["asc", "desc"]))} for k in keys],
        }
    return {"total": f"{total}.{fen:02d}", "allocation": allocation}
