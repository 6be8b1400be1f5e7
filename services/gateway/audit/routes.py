"""Querying the audit log: admins see every call, other parties their own."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from pydantic import AwareDatetime, BaseModel
from sqlalchemy import Select, select

from services.gateway.audit.models import AuditEntry
from services.gateway.caller import Caller, CurrentCaller
from shared.service import DbSession

router = APIRouter(prefix="/v1/audit", tags=["audit"])


class AuditOut(BaseModel):
    """One audited call."""

    id: int
    occurred_at: dt.datetime
    request_id: str
    client_request_id: str | None
    party_id: str | None
    credential_id: str | None
    auth_method: str | None
    operation: str
    method: str
    path: str
    object_id: str | None
    status: int
    outcome: str
    problem_code: str | None
    duration_us: int


class AuditPage(BaseModel):
    """Newest first; pass ``next_cursor`` as ``before`` for the next page."""

    items: list[AuditOut]
    next_cursor: int | None = None


class AuditFilters(BaseModel):
    """Search criteria."""

    party_id: str | None = None
    operation: str | None = None
    outcome: Literal["ok", "denied", "refused", "error"] | None = None
    request_id: str | None = None
    object_id: str | None = None
    since: AwareDatetime | None = None
    until: AwareDatetime | None = None


def _query(caller: Caller, filters: AuditFilters) -> Select[AuditEntry]:
    query = select(AuditEntry)
    # Object-level scope: a non-admin's party_id filter is replaced by its own id, whatever it asked.
    party = filters.party_id if caller.is_admin else caller.party_id
    if party:
        query = query.where(AuditEntry.party_id == party)
    for name in ("operation", "outcome", "request_id", "object_id"):
        value = getattr(filters, name)
        if value:
            query = query.where(getattr(AuditEntry, name) == value)
    if filters.since:
        query = query.where(AuditEntry.occurred_at >= filters.since)
    if filters.until:
        query = query.where(AuditEntry.occurred_at < filters.until)
    return query


def _out(row: object) -> AuditOut:
    return AuditOut.model_validate(row, from_attributes=True)


@router.get("", response_model=AuditPage, summary="Search the audit log")
async def search(
    caller: CurrentCaller,
    session: DbSession,
    filters: Annotated[AuditFilters, Query()],
    before: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditPage:
    """Admins: every party (``party_id`` filters); everyone else: own calls only."""
    query = _query(caller, filters)
    if before:
        query = query.where(AuditEntry.id < before)
    rows = (await session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit))).all()
    items = [_out(r) for r in rows]
    return AuditPage(items=items, next_cursor=items[-1].id if len(items) == limit else None)


@router.get("/export", summary="Export the audit log as NDJSON")
async def export(
    caller: CurrentCaller,
    session: DbSession,
    filters: Annotated[AuditFilters, Query()],
    limit: Annotated[int, Query(ge=1, le=100_000)] = 10_000,
) -> StreamingResponse:
    """Same scope as the search, oldest first, one JSON object per line."""
    rows = (await session.scalars(_query(caller, filters).order_by(AuditEntry.id).limit(limit))).all()
    lines = [_out(r).model_dump_json() + "\n" for r in rows]

    async def stream() -> AsyncIterator[bytes]:
        for line in lines:
            yield line.encode()

    return StreamingResponse(
        stream(),
        media_type="application/x-ndjson",
        headers={"Content-Disposition": 'attachment; filename="audit.ndjson"'},
    )
