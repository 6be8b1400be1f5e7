"""The statistics' logistics module: journeys, costs and claims from the logistics events,
the transit view, the costs per enterprise, claim rates and payout times per carrier, and what
reward runs read."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.access import scope_for
from services.stats.logistics import rules
from services.stats.logistics.models import ClaimFigures, Journey
from services.stats.logistics.repository import LogisticsStatsRepository
from services.stats.logistics.schemas import (
    CarrierClaimsOut,
    ClaimsOut,
    CostsOut,
    EnterpriseCostOut,
    TransitOut,
    TransitRouteOut,
)
from services.stats.periods import business_day
from shared.events.logistics import FINAL_STATUSES, JourneyFigures, LogisticsCostRecorded
from shared.events.warehousing import ClaimChanged, ClaimChangedV1
from shared.identity import Identity

_CENT = Decimal("0.01")
_DAY_SECONDS = Decimal(86400)
#: The statuses a carrier's decision puts a claim in (version-1 events carry no decision date).
_DECIDED = frozenset({"approved", "approved_partial", "rejected", "paid"})


async def apply_figures(session: AsyncSession, data: JourneyFigures) -> None:
    """Keep the shipment's figures at their highest revision."""
    # A journey belongs to the month of its first actual event (of the figures before one).
    started = data.started_at or data.occurred_at
    await LogisticsStatsRepository.from_session(session).keep_journey(
        {
            "shipment_id": data.shipment_id,
            "revision": data.revision,
            "month": business_day(started).strftime("%Y-%m"),
            "direction": data.direction,
            "customs_mode": data.customs_mode,
            "mode": data.mode,
            "route": data.route,
            "enterprise_party_id": data.enterprise_party_id,
            "carrier_code": data.carrier_code,
            "status": data.status,
            "started_at": data.started_at,
            "delivered_at": data.delivered_at,
            "transit_hours": data.transit_hours,
            "customs_hours": data.customs_hours,
            "punctuality": data.punctuality,
            "exceptions": json.dumps({e.kind: e.count for e in data.exceptions}, sort_keys=True),
            "updated_at": data.occurred_at,
        }
    )


async def apply_cost(session: AsyncSession, data: LogisticsCostRecorded) -> None:
    """Keep the recorded cost; a correction is a row of its own that names the one it supersedes."""
    incurred = dt.date.fromisoformat(data.incurred_on)
    await LogisticsStatsRepository.from_session(session).add_cost(
        {
            "cost_id": data.cost_id,
            "shipment_id": data.shipment_id,
            "kind": data.kind,
            "amount": data.amount,
            "currency": data.currency,
            "amount_cny": data.amount_cny,
            "incurred_on": incurred,
            "year": incurred.year,
            "enterprise_party_id": data.enterprise_party_id,
            "supersedes": data.supersedes,
            "voided": data.voided,
            "recorded_at": data.occurred_at,
        }
    )


async def apply_claim(session: AsyncSession, data: ClaimChanged) -> None:
    """Keep the claim's amounts and dates at their highest revision."""
    await LogisticsStatsRepository.from_session(session).keep_claim(
        {
            "claim_id": data.claim_id,
            "revision": data.revision,
            "year": business_day(data.submitted_at).year,
            "claimant_party_id": data.claimant_party_id,
            "shipment_id": data.shipment_id,
            "carrier_code": data.carrier_code,
            "mode": data.mode,
            "kind": data.kind,
            "status": data.status,
            "claimed_cny": data.claimed_cny,
            "offer_cny": data.offer_cny,
            "approved_cny": data.approved_cny,
            "paid_cny": data.paid_cny,
            "payout_seconds": data.payout_seconds,
            "submitted_at": data.submitted_at,
            "decided_at": data.decided_at,
            "paid_at": data.paid_at,
            "updated_at": data.occurred_at,
        }
    )


async def apply_claim_v1(session: AsyncSession, data: ClaimChangedV1) -> None:
    """A version-1 event (published before the claim's dates were): the dates come from what is
    stored for the claim, else from the event — a first revision happens at submission, a payment
    ``payout_seconds`` after it, a decision when its status is first seen."""
    stored = await LogisticsStatsRepository.from_session(session).claim(data.claim_id)
    if stored is not None:
        submitted = stored.submitted_at
    elif data.payout_seconds is not None:
        submitted = data.occurred_at - dt.timedelta(seconds=data.payout_seconds)
    else:
        submitted = data.occurred_at
    decided = stored.decided_at if stored is not None else None
    if decided is None and data.status in _DECIDED:
        decided = data.occurred_at
    paid = stored.paid_at if stored is not None else None
    if paid is None and data.paid_cny is not None:
        paid = submitted + dt.timedelta(seconds=data.payout_seconds or 0)
    await apply_claim(
        session,
        ClaimChanged(**data.model_dump(), submitted_at=submitted, decided_at=decided, paid_at=paid),
    )


def _carrier_claims(code: str, shipments: int, claims: list[ClaimFigures]) -> CarrierClaimsOut:
    paid = [c for c in claims if c.paid_cny is not None]
    days = [Decimal(c.payout_seconds) / _DAY_SECONDS for c in paid if c.payout_seconds is not None]
    approved = [c for c in claims if c.approved_cny is not None]
    # Rejected as the logistics service counts it: decided, with nothing approved.
    rejected = sum(1 for c in claims if c.decided_at is not None and c.approved_cny is None)
    return CarrierClaimsOut(
        carrier_code=code,
        shipments=shipments,
        claims=len(claims),
        claim_rate_percent=rules.share_percent(len(claims), shipments),
        kinds=dict(sorted(Counter(c.kind for c in claims).items())),
        approved=len(approved),
        rejected=rejected,
        undecided=len(claims) - len(approved) - rejected,
        paid=len(paid),
        claimed_cny=sum((c.claimed_cny for c in claims), Decimal(0)).quantize(_CENT),
        approved_cny=sum((c.approved_cny or Decimal(0) for c in approved), Decimal(0)).quantize(_CENT),
        paid_cny=sum((c.paid_cny or Decimal(0) for c in paid), Decimal(0)).quantize(_CENT),
        payout_days_p50=rules.percentile(days, 50),
        payout_days_p90=rules.percentile(days, 90),
    )


async def claims(session: AsyncSession, identity: Identity, year: int) -> ClaimsOut:
    """Per carrier: the claims submitted in ``year`` against the journeys it carried across the
    border that started in ``year``; regulators see every claimant's, an enterprise its own."""
    scope = scope_for(identity)
    repo = LogisticsStatsRepository.from_session(session)
    rows = await repo.claims_of_year(year, scope.party_id)
    shipments = await repo.journeys_per_carrier(year, scope.party_id)
    by_carrier: dict[str, list[ClaimFigures]] = defaultdict(list)
    for row in rows:
        by_carrier[row.carrier_code].append(row)
    codes = sorted(set(by_carrier) | set(shipments))
    return ClaimsOut(
        year=year,
        claims=len(rows),
        carriers=[_carrier_claims(code, shipments.get(code, 0), by_carrier[code]) for code in codes],
    )


def _hours(values: list[Decimal | None]) -> list[Decimal]:
    return [v for v in values if v is not None]


def _route_figures(mode: str, route: str, journeys: list[Journey]) -> TransitRouteOut:
    delivered = [j for j in journeys if j.delivered_at is not None]
    exceptions: Counter[str] = Counter()
    with_exceptions = 0
    for journey in journeys:
        counts: dict[str, int] = json.loads(journey.exceptions)
        exceptions.update(counts)
        with_exceptions += bool(counts)
    timed = [j.punctuality for j in journeys if j.punctuality != "unknown"]
    name_en, name_zh = rules.ROUTE_NAMES.get(route, (route, route))
    return TransitRouteOut.model_validate(
        {
            "mode": mode,
            "route": route,
            "name_en": name_en,
            "name_zh": name_zh,
            "shipments": len(journeys),
            "delivered": len(delivered),
            "open": sum(j.status not in FINAL_STATUSES for j in journeys),
            "transit_hours_p50": rules.percentile(_hours([j.transit_hours for j in delivered]), 50),
            "transit_hours_p90": rules.percentile(_hours([j.transit_hours for j in delivered]), 90),
            "customs_hours_p50": rules.percentile(_hours([j.customs_hours for j in journeys]), 50),
            "on_time_percent": rules.share_percent(timed.count("on_time"), len(timed)),
            "with_exceptions": with_exceptions,
            "exceptions": dict(sorted(exceptions.items())),
        }
    )


def _months(period: str) -> list[str]:
    if len(period) == 7:
        return [period]
    return [f"{period}-{m:02d}" for m in range(1, 13)]


async def transit(
    session: AsyncSession, identity: Identity, period: str, direction: str | None = None
) -> TransitOut:
    """Transit times and exceptions by mode and route of the journeys started in ``period``
    (YYYY or YYYY-MM); regulators see every enterprise's, an enterprise its own."""
    scope = scope_for(identity)
    journeys = await LogisticsStatsRepository.from_session(session).journeys(
        _months(period), direction, scope.party_id
    )
    by_route: dict[tuple[str, str], list[Journey]] = defaultdict(list)
    for journey in journeys:
        by_route[(journey.mode, journey.route)].append(journey)
    ordered = sorted(by_route, key=lambda key: (rules.ROUTE_ORDER.get(key[1], len(rules.ROUTE_ORDER)), key))
    return TransitOut(
        period=period,
        direction=direction,
        shipments=len(journeys),
        routes=[_route_figures(mode, route, by_route[(mode, route)]) for mode, route in ordered],
    )


async def costs(session: AsyncSession, identity: Identity, year: int) -> CostsOut:
    """Each enterprise's standing logistics costs of ``year`` (an enterprise: its own)."""
    scope = scope_for(identity)
    rows = await LogisticsStatsRepository.from_session(session).costs_of_year(year, scope.party_id)
    return CostsOut(
        year=year,
        enterprises=[
            EnterpriseCostOut(
                party_id=party,
                international_freight_cny=freight.quantize(_CENT),
                other_cny=other.quantize(_CENT),
                shipments=shipments,
            )
            for party, (freight, other, shipments) in rows.items()
        ],
    )


async def reward_inputs(session: AsyncSession, year: int) -> dict[str, Decimal]:
    """``intl_logistics_cost`` per enterprise for a reward snapshot: the standing international
    freight incurred in ``year``, CNY to the fen."""
    totals = await LogisticsStatsRepository.from_session(session).international_freight(year)
    return {party: total.quantize(_CENT) for party, total in totals.items()}
