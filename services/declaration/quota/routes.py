"""``POST /v1/customs/quota/lookups`` — how much of a buyer's annual quota is left (:mod:`.lookups`).

A POST with a JSON body, not a GET: the buyer's ID number must not appear in a URL, a
proxy's or the gateway's access log, or a browser history.
"""

from __future__ import annotations

from fastapi import APIRouter

from services.declaration.context import DeclarationContextDep
from services.declaration.quota.lookups import quota_left
from services.declaration.quota.schemas import QUOTA_LEFT_EXAMPLE, QuotaLeftOut, QuotaLookupIn
from shared.identity import CurrentIdentity
from shared.kit.responses import problems
from shared.service import RuntimeDep

router = APIRouter(prefix="/v1/customs", tags=["customs quota"])

_ANSWERS = problems(401, 404, 422)
_ANSWERS[404]["description"] = (
    "You have filed no import inventory for this buyer (the same answer whether or not anyone has)"
)


@router.post(
    "/quota/lookups",
    summary="How much of a buyer's annual retail import quota is left (buyers you filed for)",
    response_model=QuotaLeftOut,
    responses={200: {"content": {"application/json": {"example": QUOTA_LEFT_EXAMPLE}}}, **_ANSWERS},
)
async def look_up_quota(
    wanted: QuotaLookupIn, identity: CurrentIdentity, runtime: RuntimeDep, ctx: DeclarationContextDep
) -> QuotaLeftOut:
    """The year's limit, what the buyer's accepted inventories use and what is left (CNY at fen);
    the buyer masked; every lookup audited."""
    return await quota_left(runtime.db, ctx, identity, wanted)
