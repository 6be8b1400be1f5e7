"""The statistics' logistics module: journeys and costs from the logistics events, the
transit view, the costs per enterprise, and what reward runs read."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.access import scope_for
from services.stats.logistics import rules
from services.stats.logistics.models import Journey
from services.stats.logistics.repository import LogisticsStatsRepository
from services.stats.logistics.schemas import CostsOut, EnterpriseCostOut, TransitOut, TransitRouteOut
from services.stats.periods import business_day
from shared.events.logistics import FINAL_STATUSES, JourneyFigures, LogisticsCostRecorded
from shared.identity import Identity

_CENT = Decimal("0.01")


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
