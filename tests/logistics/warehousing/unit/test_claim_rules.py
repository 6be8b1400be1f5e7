"""The claim rules without a database: the lifecycle table, the windows of the packaged rules
file, and the offers it gives per mode (amounts computed by hand)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.logistics.claims import rules
from services.logistics.claims.rules import ClaimFacts, Status
from services.logistics.claims.terms import load_sdr_rates, load_terms

S = Status
TERMS = load_terms()
RATE = load_sdr_rates().on(dt.date(2026, 12, 7))  # 9.7500 CNY/SDR from 2026-10-01


def _offer(mode: str, claimed: str, weight: str = "10", packages: int = 1, **extra: object) -> Decimal:
    facts = ClaimFacts(
        mode=mode, product=None, claimed_cny=Decimal(claimed), weight_kg=Decimal(weight), packages=packages
    )
    facts = dataclasses.replace(facts, **extra)  # type: ignore[arg-type]
    return rules.offer(TERMS, facts, RATE).amount_cny


_moves = st.lists(
    st.tuples(st.sampled_from(list(Status)), st.sampled_from(["carrier", "claimant"])), max_size=40
)


@given(_moves)
def test_no_sequence_of_attempts_reaches_a_state_by_skipping_one(attempts: list[tuple[Status, str]]) -> None:
    path = [S.SUBMITTED]
    for target, actor in attempts:
        if rules.may_move(path[-1], target, actor):  # type: ignore[arg-type]
            path.append(target)
    for before, after in zip(path, path[1:], strict=False):
        assert after in rules.NEXT[before]
    if S.PAID in path:
        paid = path.index(S.PAID)
        decided = max(i for i, s in enumerate(path[:paid]) if s in (S.APPROVED, S.APPROVED_PARTIAL))
        assert S.UNDER_REVIEW in path[:decided]
    if S.REJECTED in path or any(s in path for s in (S.APPROVED, S.APPROVED_PARTIAL)):
        assert S.UNDER_REVIEW in path


@given(st.sampled_from(list(Status)), st.sampled_from(list(Status)))
def test_only_the_carrier_decides_and_pays(current: Status, target: Status) -> None:
    if target in rules.DECIDED or target == S.PAID:
        assert not rules.may_move(current, target, "claimant")


def test_a_closed_claim_moves_nowhere() -> None:
    assert all(not rules.may_move(S.CLOSED, t, a) for t in Status for a in ("carrier", "claimant"))  # type: ignore[arg-type]


def test_an_air_damage_window_is_14_days_from_delivery() -> None:
    window = rules.window(TERMS.mode("air").windows["damaged"], dt.date(2026, 5, 1))
    assert (window.opens_on, window.closes_on) == (dt.date(2026, 5, 1), dt.date(2026, 5, 15))
    assert "Art. 31" in window.basis


def test_an_air_delay_window_is_21_days() -> None:
    assert rules.window(TERMS.mode("air").windows["delayed"], dt.date(2026, 5, 1)).closes_on == dt.date(
        2026, 5, 22
    )


def test_a_sea_damage_notice_is_due_within_3_days() -> None:
    assert rules.window(TERMS.mode("sea").windows["damaged"], dt.date(2026, 5, 1)).closes_on == dt.date(
        2026, 5, 4
    )


def test_a_postal_window_is_6_months_from_posting_and_ends_on_a_real_day() -> None:
    rule = TERMS.mode("post").windows["lost"]
    assert rules.window(rule, dt.date(2026, 8, 31)).closes_on == dt.date(2027, 2, 28)


def test_air_pays_26_sdr_per_kg() -> None:
    assert _offer("air", "5000", "10") == Decimal("2535.00")  # 26 × 10 = 260 SDR × 9.75


def test_a_loss_below_the_cap_is_paid_in_full() -> None:
    assert _offer("air", "100.004", "10") == Decimal("100.00")


def test_sea_takes_666_67_sdr_per_package_when_that_is_higher() -> None:
    assert _offer("sea", "20000", "100", 2) == Decimal("13000.07")  # 1333.34 SDR × 9.75 = 13000.065


def test_sea_takes_2_sdr_per_kg_when_that_is_higher() -> None:
    assert _offer("sea", "50000", "1000", 1) == Decimal("19500.00")  # 2000 SDR × 9.75


def test_road_pays_8_33_sdr_per_kg() -> None:
    assert _offer("road", "5000", "10") == Decimal("812.18")  # 83.3 SDR × 9.75 = 812.175


def test_rail_pays_17_sdr_per_kg() -> None:
    assert _offer("rail", "5000", "10") == Decimal("1657.50")


def test_a_registered_postal_item_pays_30_sdr() -> None:
    assert _offer("post", "1000", "2", product="registered") == Decimal("292.50")


def test_an_ems_item_pays_40_sdr_plus_4_5_sdr_per_kg() -> None:
    assert _offer("post", "1000", "2", product="ems") == Decimal("477.75")  # 49 SDR × 9.75


def test_a_postal_item_of_no_named_product_pays_the_modes_30_sdr() -> None:
    assert _offer("post", "1000", "2") == Decimal("292.50")  # 30 SDR × 9.75


def test_an_ems_offer_quotes_the_ems_basis_not_the_modes() -> None:
    facts = ClaimFacts(
        mode="post", product="ems", claimed_cny=Decimal("1000"), weight_kg=Decimal("2"), packages=1
    )
    lines = rules.offer(TERMS, facts, RATE).lines
    ems = TERMS.mode("post").products["ems"].basis
    assert lines[1:4] == [
        f"post, product ems: {ems}: 4.5 SDR/kg × 2 kg = 9 SDR",
        f"post, product ems: {ems}: 40 SDR per item = 40 SDR",
        "Sum of the limits: 49 SDR",
    ]


def test_every_postal_and_express_amount_says_it_is_a_default_to_configure() -> None:
    # The reference gives no UPU or express amounts: the file must not present them as law.
    bases = [TERMS.mode(mode).basis for mode in ("post", "express")] + [
        p.basis for mode in ("post", "express") for p in TERMS.mode(mode).products.values()
    ]
    assert [b for b in bases if "default to configure" not in b] == []


def test_express_documents_pay_once_the_freight_up_to_500_cny() -> None:
    cheap = _offer("express", "1000", product="documents", freight_cny=Decimal("120"))
    dear = _offer("express", "1000", product="documents", freight_cny=Decimal("800"))
    assert (cheap, dear) == (Decimal("120.00"), Decimal("500.00"))


def test_express_pays_three_times_the_freight() -> None:
    assert _offer("express", "1000", freight_cny=Decimal("100")) == Decimal("300.00")


def test_express_caps_the_freight_multiple() -> None:
    assert _offer("express", "9000", freight_cny=Decimal("1000")) == Decimal("2000.00")


def test_express_without_its_freight_cannot_be_computed() -> None:
    with pytest.raises(rules.TermsError, match="freight"):
        _offer("express", "1000")


def test_an_insured_shipment_pays_its_declared_value_up_to_the_insured_amount() -> None:
    paid = _offer("air", "1000", "1", insured_cny=Decimal("800"), declared_cny=Decimal("600"))
    assert paid == Decimal("600.00")


def test_every_step_of_an_offer_is_an_explanation_line_with_its_numbers() -> None:
    facts = ClaimFacts(
        mode="air", product=None, claimed_cny=Decimal("5000"), weight_kg=Decimal("10"), packages=1
    )
    lines = rules.offer(TERMS, facts, RATE).lines
    assert lines == [
        "Claimed loss: 5000.00 CNY",
        "air: " + TERMS.mode("air").basis + ": 26 SDR/kg × 10 kg = 260 SDR",
        "At 9.7500 CNY/SDR (rate of 2026-10-01, " + RATE.source + "): 260 SDR = 2535.00 CNY",
        "Offer = min(claimed 5000.00, cap 2535.00) = 2535.00 CNY",
    ]


@given(
    st.sampled_from(["air", "sea", "road", "rail", "post"]),
    st.decimals(min_value=0, max_value=10**7, places=2),
    st.decimals(min_value=Decimal("0.001"), max_value=10**5, places=3),
    st.integers(1, 500),
)
def test_an_offer_never_exceeds_the_claim_or_the_cap(
    mode: str, claimed: Decimal, kg: Decimal, packages: int
) -> None:
    result = rules.offer(TERMS, ClaimFacts(mode, None, claimed, kg, packages), RATE)
    assert result.amount_cny == min(claimed, result.cap_cny) and result.amount_cny.as_tuple().exponent == -2


def test_a_rules_file_without_a_window_per_kind_is_refused() -> None:
    with pytest.raises(rules.TermsError, match="windows"):
        rules.parse_terms({"modes": {"air": {"liability": {"per_kg_sdr": "26"}, "windows": {}}}})


def test_the_packaged_sdr_rates_say_they_are_to_be_replaced_by_the_imfs() -> None:
    assert all(
        "IMF" in r.source and Decimal("9.4") < r.cny_per_sdr < Decimal("9.9") for r in load_sdr_rates().rates
    )
