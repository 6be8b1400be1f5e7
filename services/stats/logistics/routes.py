"""``/v1/stats/logistics`` — transit times and exceptions by mode and route (the regulator's
view of the ferry, the China–Europe trains, air and post), logistics costs per enterprise, and
loss and damage claim rates and payout times per carrier."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from services.stats.logistics import service
from services.stats.logistics.schemas import ClaimsOut, CostsOut, TransitOut
from shared.identity import CurrentIdentity
from shared.kit.responses import COMMON_PROBLEMS, problems
from shared.service import DbSession

router = APIRouter(prefix="/v1/stats/logistics", tags=["statistics: logistics"])


@router.get(
    "/transit",
    response_model=TransitOut,
    responses=problems(*COMMON_PROBLEMS),
    summary="Transit times and exceptions by mode and route",
    description="Journeys that started in the period (Beijing calendar), grouped by the mode and route "
    "of their border-crossing leg: delivered and open counts, median and 90th-percentile transit hours "
    "(nearest rank, delivered journeys), median hours in customs, on-time share and exceptions. "
    "Regulators see every enterprise's journeys; an enterprise its own.",
)
async def transit(
    identity: CurrentIdentity,
    session: DbSession,
    # Year 0000 is no calendar year: the pattern starts at 1000.
    period: Annotated[
        str,
        Query(
            pattern=r"^[1-9][0-9]{3}(-(0[1-9]|1[0-2]))?$", description="YYYY or YYYY-MM", examples=["2026-03"]
        ),
    ],
    direction: Literal["import", "export"] | None = None,
) -> TransitOut:
    return await service.transit(session, identity, period, direction)


@router.get(
    "/costs",
    response_model=CostsOut,
    responses=problems(*COMMON_PROBLEMS),
    summary="Logistics costs per enterprise and year",
    description="The standing costs (corrections applied, voided ones dropped) incurred in the year, in "
    "CNY at the rate recorded with each cost. International freight is what a reward run's logistics "
    "subsidy (三(九)) is paid on. Regulators see every enterprise; an enterprise itself.",
)
async def costs(
    identity: CurrentIdentity, session: DbSession, year: Annotated[int, Query(ge=2000, le=2100)]
) -> CostsOut:
    return await service.costs(session, identity, year)


@router.get(
    "/claims",
    response_model=ClaimsOut,
    responses=problems(*COMMON_PROBLEMS),
    summary="Loss and damage claims per carrier and year",
    description="Per carrier code: the claims submitted in the Beijing calendar year against the claimed "
    "leg's carrier, per 100 journeys it carried across the border that started in the year, how they "
    "were decided, the CNY claimed, approved and paid, and the median and 90th-percentile days from "
    "submission to payment (nearest rank, paid claims). Regulators see every claimant; an enterprise "
    "its own claims against its own shipments.",
)
async def claims(
    identity: CurrentIdentity, session: DbSession, year: Annotated[int, Query(ge=2000, le=2100)]
) -> ClaimsOut:
    return await service.claims(session, identity, year)
