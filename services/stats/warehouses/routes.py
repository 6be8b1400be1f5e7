"""``/v1/stats/warehouses`` — overseas warehouses for the regulator: their monthly figures,
the certification criteria's evaluation, and certification decisions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.stats.access import actor_of
from services.stats.warehouses import service
from services.stats.warehouses.schemas import (
    AssessmentIn,
    AssessmentOut,
    WarehouseDetailOut,
    WarehouseFiguresOut,
    WarehouseListOut,
)
from services.stats.warehouses.service import CertificationCriteria
from shared.identity import CurrentIdentity
from shared.kit.context import component
from shared.kit.responses import COMMON_PROBLEMS, problems
from shared.service import DbSession

router = APIRouter(prefix="/v1/stats/warehouses", tags=["overseas warehouses"])
CriteriaDep = Annotated[CertificationCriteria, Depends(component(CertificationCriteria))]


@router.get(
    "", response_model=WarehouseListOut, responses=problems(*COMMON_PROBLEMS), summary="Overseas warehouses"
)
async def list_warehouses(identity: CurrentIdentity, session: DbSession) -> WarehouseListOut:
    """Regulators see every warehouse; an operator its own; each with its last 12 months' figures."""
    return WarehouseListOut(items=await service.overview(session, identity))


@router.get(
    "/figures",
    response_model=WarehouseFiguresOut,
    responses=problems(*COMMON_PROBLEMS),
    summary="Monthly totals of the overseas warehouses",
)
async def warehouse_figures(
    identity: CurrentIdentity, session: DbSession, year: Annotated[int, Query(ge=2000, le=2100)]
) -> WarehouseFiguresOut:
    """Inbound and outbound volumes, returns, customers and stock of every reporting warehouse."""
    return await service.figures(session, identity, year)


@router.get(
    "/{warehouse_id}",
    response_model=WarehouseDetailOut,
    responses=problems(*COMMON_PROBLEMS, 404),
    summary="A warehouse: figures, criteria, assessments",
)
async def read(
    warehouse_id: str, identity: CurrentIdentity, session: DbSession, criteria: CriteriaDep
) -> WarehouseDetailOut:
    """Its filed months, each certification criterion against its figure today, its assessments."""
    return await service.detail(session, identity, criteria.criteria, warehouse_id)


@router.post(
    "/{warehouse_id}/assessments",
    status_code=201,
    response_model=AssessmentOut,
    responses=problems(*COMMON_PROBLEMS, 404),
    summary="Record a certification decision",
)
async def assess(
    warehouse_id: str,
    data: AssessmentIn,
    identity: CurrentIdentity,
    session: DbSession,
    criteria: CriteriaDep,
) -> AssessmentOut:
    """A regulator certifies (or refuses, or withdraws) a warehouse at a level; reward runs read it."""
    return await service.assess(session, identity, actor_of(identity), criteria.criteria, warehouse_id, data)
