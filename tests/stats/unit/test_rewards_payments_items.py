"""The example policy's payments items, computed by hand: RMB settlement (四(十三)) and payment
institutions (四(十四))."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from services.stats.rewards import compute
from services.stats.rewards.inputs import Snapshot
from tests.stats.unit.rewards_support import YEAR, enterprise, example_policy, uscc_for

D = Decimal


def institution(index: int, volume: str, **flags: bool) -> dict[str, Any]:
    return {
        "party_id": f"PI{index:03d}",
        "name": f"测试支付{index}",
        "uscc": uscc_for(900 + index),
        "district": "海州区",
        "online_volume": volume,
        "online_transactions": 10,
        "flags": {"licensed": True, "headquarters_in_city": True, **flags},
    }


def _snapshot(enterprises: list[dict[str, Any]], institutions: list[dict[str, Any]]) -> Snapshot:
    return Snapshot.model_validate(
        {
            "snapshot_id": "snap-payments",
            "year": YEAR,
            "taken_at": "2027-01-10T08:00:00+08:00",
            "source": "unit test",
            "enterprises": enterprises,
            "payment_institutions": institutions,
        }
    )


def _item(result: Any, key: str, item_id: str) -> Decimal:
    subject = result.subject(key)
    return next(i.amount for i in subject.items if i.item_id == item_id)


def test_rmb_settlement_pays_two_permille_of_the_years_rmb_settlement_capped_at_50000() -> None:
    result = compute(
        example_policy(),
        _snapshot(
            [
                enterprise(1, rmb_settlement_amount="3000000.00"),  # 0.2 % × 3,000,000 = 6,000
                enterprise(2, rmb_settlement_amount="40000000.00"),  # 80,000 → capped at 50,000
                enterprise(3, rmb_settlement_amount="999999.99"),  # below the 1,000,000 minimum
                enterprise(4, rmb_settlement_amount="1234567.89"),  # 2,469.13578 → 2,469.14 (half-up)
            ],
            [],
        ),
    )
    assert _item(result, "enterprise:E00001", "RMB") == D("6000.00")
    assert _item(result, "enterprise:E00002", "RMB") == D("50000.00")
    assert _item(result, "enterprise:E00003", "RMB") == D("0")
    assert _item(result, "enterprise:E00004", "RMB") == D("2469.14")


def test_payment_institutions_over_100_million_with_a_local_hq_are_rewarded_by_tier() -> None:
    result = compute(
        example_policy(),
        _snapshot(
            [],
            [
                institution(1, "120000000.00"),  # > 100 m: 200,000
                institution(2, "650000000.00"),  # ≥ 500 m: 500,000
                institution(3, "100000000.00"),  # not over 100 m (policy text: 超过): nothing
                institution(4, "2000000000.00", headquarters_in_city=False),  # no HQ here: nothing
                institution(5, "300000000.00", licensed=False),  # unlicensed: nothing
            ],
        ),
    )
    amounts = {s.key: s.final for s in result.subjects}
    assert amounts == {
        "payment_institution:PI001": D("200000.00"),
        "payment_institution:PI002": D("500000.00"),
        "payment_institution:PI003": D("0"),
        "payment_institution:PI004": D("0"),
        "payment_institution:PI005": D("0"),
    }


def test_an_institution_rewards_explanation_names_the_rules_it_met() -> None:
    result = compute(example_policy(), _snapshot([], [institution(1, "120000000.00")]))
    text = " ".join(str(line.rule) for line in result.subject("payment_institution:PI001").lines)
    assert "online-volume-over-100m" in text and "headquarters-in-city" in text


def test_a_snapshot_without_payment_institutions_keeps_its_earlier_hash() -> None:
    without = _snapshot([enterprise(1)], [])
    assert b"payment_institutions" not in without.canonical_json()
