"""Reading the state of an own Idempotency-Key."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel

from services.gateway.caller import CurrentCaller
from services.gateway.components import GatewayComponents
from shared.problems import NOT_FOUND, ProblemError

router = APIRouter(prefix="/v1/idempotency-keys", tags=["idempotency"])


class IdempotencyOut(BaseModel):
    """What the gateway remembers about a key (not the stored body)."""

    key: str
    method: str
    path: str
    state: Literal["in_progress", "completed"]
    response_status: int | None
    created_at: dt.datetime
    expires_at: dt.datetime


@router.get("/{key}", response_model=IdempotencyOut, summary="State of an own Idempotency-Key")
async def read_key(key: str, caller: CurrentCaller, request: Request) -> IdempotencyOut:
    """Keys are scoped per party: another party's key is not found."""
    row = await request.app.state.runtime.components.get(GatewayComponents).idempotency.get(
        caller.party_id, key
    )
    if row is None:
        raise ProblemError(NOT_FOUND, "No such Idempotency-Key for this party (or it expired).")
    return IdempotencyOut(
        key=row.key,
        method=row.method,
        path=row.path,
        state=row.state,
        response_status=row.response_status,
        created_at=row.created_at,
        expires_at=row.expires_at,
    )
