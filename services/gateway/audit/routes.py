"""Querying the audit log: admins see every call, other parties their own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from services.gateway.audit import service
from services.gateway.audit.schemas import EXPORT_EXAMPLE, AuditFilters, AuditOut
from services.gateway.caller import CurrentCaller
from shared.kit.pagination import Page, PageRequest, page_request_for
from shared.kit.responses import raw_response
from shared.service import DbSession

router = APIRouter(prefix="/v1/audit", tags=["audit"])

NDJSON = "application/x-ndjson"
#: ``?cursor=&limit=``; ``before`` is the cursor's old name (deprecated), 100 rows a page as before.
AuditPageParams = Annotated[PageRequest, Depends(page_request_for(alias="before", default_limit=100))]


@router.get("", response_model=Page[AuditOut], summary="Search the audit log")
async def search(
    caller: CurrentCaller,
    session: DbSession,
    filters: Annotated[AuditFilters, Query()],
    page: AuditPageParams,
) -> Page[AuditOut]:
    """Newest first. Admins: every party (``party_id`` filters); everyone else: own calls only."""
    return await service.search(session, caller, filters, page)


@router.get(
    "/export",
    summary="Export the audit log as NDJSON",
    response_class=StreamingResponse,
    responses=raw_response(
        {NDJSON: EXPORT_EXAMPLE},
        "One audited call per line, each an `AuditOut` (the search's item)",
        schemas={NDJSON: {"$ref": "#/components/schemas/AuditOut"}},
    ),
)
async def export(
    caller: CurrentCaller,
    session: DbSession,
    filters: Annotated[AuditFilters, Query()],
    limit: Annotated[int, Query(ge=1, le=100_000)] = 10_000,
) -> StreamingResponse:
    """Same scope as the search, oldest first, one JSON object per line."""
    lines = await service.export_lines(session, caller, filters, limit)

    async def stream() -> AsyncIterator[bytes]:
        for line in lines:
            yield line

    return StreamingResponse(
        stream(), media_type=NDJSON, headers={"Content-Disposition": 'attachment; filename="audit.ndjson"'}
    )
