"""Logistics cost routes: record, correct, void, list a shipment's costs."""

from __future__ import annotations

from fastapi import APIRouter

from services.logistics.context import LogisticsContextDep
from services.logistics.costs import service
from services.logistics.costs.models import LogisticsCost
from services.logistics.costs.schemas import CostIn, CostOut, CostVoid
from shared.identity import CurrentIdentity
from shared.kit.responses import problems
from shared.service import DbSession, RuntimeDep
from shared.sqltypes import utcnow

router = APIRouter(prefix="/v1/logistics/shipments/{shipment_id}/costs", tags=["logistics costs"])


def _out(row: LogisticsCost, superseded: set[str]) -> CostOut:
    return CostOut(
        id=row.id,
        shipment_id=row.shipment_id,
        kind=row.kind,
        amount=row.amount,
        currency=row.currency,
        amount_cny=row.amount_cny,
        cny_rate=row.cny_rate,
        rate_month=row.rate_month,
        incurred_on=row.incurred_on,
        recorded_by_party_id=row.recorded_by_party_id,
        supersedes=row.supersedes,
        voided=row.voided,
        superseded=row.id in superseded,
        note=row.note,
        created_at=row.created_at,
    )


@router.post(
    "",
    status_code=201,
    response_model=CostOut,
    responses=problems(401, 403, 404, 409, 422),
    summary="Record (or, with `supersedes`, correct) what the shipment's logistics cost",
)
async def record(
    shipment_id: str,
    data: CostIn,
    identity: CurrentIdentity,
    session: DbSession,
    runtime: RuntimeDep,
    ctx: LogisticsContextDep,
) -> CostOut:
    """Converted to CNY at the customs monthly rate of the day it was incurred; statistics sum it
    per enterprise and year for the logistics subsidy."""
    row = await service.record(session, runtime.publisher, ctx, identity, shipment_id, data, utcnow())
    return _out(row, set())


@router.post(
    "/{cost_id}/void",
    status_code=201,
    response_model=CostOut,
    responses=problems(401, 403, 404, 409, 422),
    summary="Void a cost record (a void record replaces it; the history stays)",
)
async def void(
    shipment_id: str,
    cost_id: str,
    data: CostVoid,
    identity: CurrentIdentity,
    session: DbSession,
    runtime: RuntimeDep,
    ctx: LogisticsContextDep,
) -> CostOut:
    """Statistics drop the voided amount."""
    row = await service.void(
        session, runtime.publisher, ctx, identity, shipment_id, cost_id, data.note, utcnow()
    )
    return _out(row, set())


@router.get(
    "", response_model=list[CostOut], responses=problems(401, 403, 404), summary="A shipment's cost records"
)
async def listing(shipment_id: str, identity: CurrentIdentity, session: DbSession) -> list[CostOut]:
    """Oldest first; superseded ones are marked."""
    rows, superseded = await service.listing(session, identity, shipment_id)
    return [_out(row, superseded) for row in rows]
