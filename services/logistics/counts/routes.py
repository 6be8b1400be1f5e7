"""``/v1/logistics/stock/counts`` — stock counts applied as adjustments."""

from __future__ import annotations

from fastapi import APIRouter

from services.logistics.counts import service
from services.logistics.counts.schemas import CountIn, CountOut
from shared.identity import CurrentIdentity
from shared.kit.responses import COMMON_PROBLEMS, problems
from shared.service import DbSession, RuntimeDep

router = APIRouter(prefix="/v1/logistics/stock/counts", tags=["stock"])


@router.post(
    "",
    status_code=201,
    response_model=CountOut,
    responses=problems(*COMMON_PROBLEMS, 404, 409),
    summary="Apply a stock count",
)
async def apply_count(
    data: CountIn, identity: CurrentIdentity, session: DbSession, runtime: RuntimeDep
) -> CountOut:
    """Each counted lot is adjusted to the count; reservations the stock no longer covers give way,
    newest first. The same ``count_key`` again answers what the count did."""
    return await service.apply_count(session, runtime.publisher, identity, data)
