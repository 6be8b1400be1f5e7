"""Reading the state of an own Idempotency-Key."""

from __future__ import annotations

from fastapi import APIRouter

from services.gateway.caller import CurrentCaller
from services.gateway.components import GatewayDep
from services.gateway.idempotency.schemas import IdempotencyOut
from shared.problems import NOT_FOUND, ProblemError

router = APIRouter(prefix="/v1/idempotency-keys", tags=["idempotency"])


@router.get("/{key}", response_model=IdempotencyOut, summary="State of an own Idempotency-Key")
async def read_key(key: str, caller: CurrentCaller, gw: GatewayDep) -> IdempotencyOut:
    """Keys are scoped per party: another party's key is not found."""
    row = await gw.idempotency.get(caller.party_id, key)
    if row is None:
        raise ProblemError(NOT_FOUND, "No such Idempotency-Key for this party (or it expired).")
    return IdempotencyOut(
        key=row.key,
        method=row.method,
        path=row.path,
        state=row.state,  # type: ignore[arg-type]
        response_status=row.response_status,
        created_at=row.created_at,
        expires_at=row.expires_at,
    )
