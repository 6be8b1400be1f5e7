"""Loss and damage claims in the statistics: each claim kept at its highest revision (from the
logistics service's ``ClaimChanged`` events), counted in its Beijing year of submission, and the
regulator's claim rates and payout times per carrier (hand-computed)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from shared.events import CloudEvent, build_event
from shared.events.warehousing import ClaimChanged, ClaimChangedV1
from tests.stats.conftest import StatsApi, enterprise
from tests.stats.support import at
from tests.stats.test_logistics_figures import journey

D = Decimal
DAY = 86400
CARRIER = "3207980001"
OTHER = "3207980002"


def claim(
    claim_id: str,
    *,
    revision: int = 1,
    status: str = "submitted",
    carrier: str = CARRIER,
    party: str = "E1",
    kind: str = "damaged",
    claimed: str = "1000.00",
    submitted: str = "2026-03-05 10:00",
    approved: str | None = None,
    paid_after_days: float | None = None,
    decided: bool = False,
) -> CloudEvent:
    """A claim's change event; ``paid_after_days`` pays ``approved`` that long after submission."""
    submitted_at = at(submitted)
    paid_at = submitted_at + dt.timedelta(days=paid_after_days) if paid_after_days is not None else None
    values: dict[str, Any] = {
        "claimant_party_id": party,
        "claim_id": claim_id,
        "reference": f"REF-{claim_id}",
        "shipment_id": f"S-{claim_id}",
        "leg_id": f"L-{claim_id}",
        "carrier_code": carrier,
        "mode": "air",
        "kind": kind,
        "status": status,
        "claimed_cny": D(claimed),
        "offer_cny": D(claimed),
        "approved_cny": D(approved) if approved else None,
        "paid_cny": D(approved) if approved and paid_at else None,
        "payout_seconds": int(paid_after_days * DAY) if paid_after_days is not None else None,
        "submitted_at": submitted_at,
        "decided_at": submitted_at + dt.timedelta(days=1) if decided or approved else None,
        "paid_at": paid_at,
        "revision": revision,
        "occurred_at": paid_at or submitted_at + dt.timedelta(days=revision - 1),
    }
    return build_event(ClaimChanged(**values), source="/ddt/logistics", subject=claim_id)


def carriers(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["carrier_code"]: row for row in body["carriers"]}


async def test_a_carriers_claims_are_rated_against_its_shipments_and_timed_to_payment(
    stats: StatsApi,
) -> None:
    """CARRIER carried 20 journeys in 2026 and has 4 claims: K1 paid 600.00 after 10 days, K2 paid
    the full 1,000.00 after 30 days, K3 rejected, K4 still under review. Rate 4/20 = 20.0 %;
    payout days (10, 30): nearest-rank median 10.0, 90th percentile 30.0."""
    await stats.feed([journey(f"S{n}", carrier=CARRIER) for n in range(20)])
    await stats.feed(
        [
            claim("K1", revision=4, status="paid", approved="600.00", paid_after_days=10),
            claim("K2", revision=4, status="paid", kind="lost", approved="1000.00", paid_after_days=30),
            claim("K3", revision=3, status="rejected", decided=True),
            claim("K4", revision=2, status="under_review"),
        ]
    )
    row = carriers((await stats.get("/v1/stats/logistics/claims?year=2026")).json())[CARRIER]
    assert row == {
        "carrier_code": CARRIER,
        "shipments": 20,
        "claims": 4,
        "claim_rate_percent": "20.0",
        "kinds": {"damaged": 3, "lost": 1},
        "approved": 2,
        "rejected": 1,
        "undecided": 1,
        "paid": 2,
        "claimed_cny": "4000.00",
        "approved_cny": "1600.00",
        "paid_cny": "1600.00",
        "payout_days_p50": "10.0",
        "payout_days_p90": "30.0",
    }


async def test_the_highest_revision_of_a_claim_stands_however_events_arrive(stats: StatsApi) -> None:
    paid = claim("K1", revision=4, status="paid", approved="600.00", paid_after_days=10)
    await stats.feed([paid, claim("K1", revision=1), paid])  # late, stale, then redelivered
    row = carriers((await stats.get("/v1/stats/logistics/claims?year=2026")).json())[CARRIER]
    assert (row["claims"], row["paid"], row["paid_cny"]) == (1, 1, "600.00")


async def test_a_claim_counts_in_the_beijing_year_it_was_submitted(stats: StatsApi) -> None:
    await stats.feed([claim("K1", submitted="2026-01-01 00:30")])  # 2025-12-31 16:30 UTC
    in_2026 = (await stats.get("/v1/stats/logistics/claims?year=2026")).json()["claims"]
    in_2025 = (await stats.get("/v1/stats/logistics/claims?year=2025")).json()["claims"]
    assert (in_2026, in_2025) == (1, 0)


async def test_a_carrier_with_shipments_and_no_claim_has_a_zero_rate(stats: StatsApi) -> None:
    await stats.feed([journey("S1", carrier=OTHER), journey("S2", carrier=OTHER)])
    row = carriers((await stats.get("/v1/stats/logistics/claims?year=2026")).json())[OTHER]
    assert (row["claims"], row["claim_rate_percent"], row["payout_days_p50"]) == (0, "0.0", None)


async def test_claims_against_a_carrier_without_journeys_have_no_rate(stats: StatsApi) -> None:
    await stats.feed([claim("K1", carrier=OTHER)])
    row = carriers((await stats.get("/v1/stats/logistics/claims?year=2026")).json())[OTHER]
    assert (row["shipments"], row["claim_rate_percent"]) == (0, None)


async def test_an_enterprise_sees_only_its_own_claims_and_shipments(stats: StatsApi) -> None:
    await stats.feed(
        [
            journey("S1", party="E1", carrier=CARRIER),
            journey("S2", party="E2", carrier=CARRIER),
            claim("K1", party="E1"),
            claim("K2", party="E2"),
            claim("K3", party="E2"),
        ]
    )
    body = (await stats.get("/v1/stats/logistics/claims?year=2026", enterprise("E1"))).json()
    row = carriers(body)[CARRIER]
    assert (body["claims"], row["shipments"], row["claim_rate_percent"]) == (1, 1, "100.0")


async def test_a_version_1_event_is_read_with_its_dates_inferred(stats: StatsApi) -> None:
    """Published before the claim's dates were: submitted 2026-03-05 10:00 (its first revision),
    paid 864,000 s = 10 days later (its payout)."""
    first = claim("K1")
    paid = claim("K1", revision=4, status="paid", approved="600.00", paid_after_days=10)
    drop = {"submitted_at", "decided_at", "paid_at"}
    events = [
        build_event(
            ClaimChangedV1(**{k: v for k, v in e.data.items() if k not in drop}),
            source="/ddt/logistics",
            subject="K1",
        )
        for e in (first, paid)
    ]
    await stats.feed(events)
    row = carriers((await stats.get("/v1/stats/logistics/claims?year=2026")).json())[CARRIER]
    assert (events[0].type, row["claims"], row["paid"], row["payout_days_p50"]) == (
        "ddt.logistics.claim.changed.v1",
        1,
        1,
        "10.0",
    )


async def test_a_year_out_of_range_is_refused_at_the_parameter(stats: StatsApi) -> None:
    response = await stats.get("/v1/stats/logistics/claims?year=1999")
    assert response.status_code == 422 and response.json()["errors"][0]["pointer"] == "/query/year"
