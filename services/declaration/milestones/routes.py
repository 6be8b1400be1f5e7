"""The logistics firm's milestone filings: list them, fetch a prepared message, release it signed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from services.declaration.context import DeclarationContextDep
from services.declaration.milestones import service
from services.declaration.milestones.schemas import MilestoneOut, MilestoneStatus, ReleaseOut
from shared.identity import CurrentIdentity
from shared.kit.pagination import Page, PageParams
from shared.kit.responses import problems, raw_response
from shared.service import DbSession, RuntimeDep
from shared.sqltypes import utcnow

router = APIRouter(prefix="/v1/customs/milestones", tags=["customs milestones"])

_XML = raw_response({"application/xml": None}, "The prepared CEB message, unsigned: sign it and release it")


@router.get("", response_model=Page[MilestoneOut], responses=problems(401, 422), summary="Your milestones")
async def list_milestones(
    identity: CurrentIdentity,
    session: DbSession,
    page: PageParams,
    status: MilestoneStatus | None = None,
    message_type: Annotated[str | None, Query(alias="messageType", pattern=r"^CEB50[79]|CEB513$")] = None,
) -> Page[MilestoneOut]:
    """The customs milestones the track reached for the calling firm, newest first."""
    rows, cursor = await service.page(session, identity, page, status=status, message_type=message_type)
    return Page(items=[MilestoneOut.of(row) for row in rows], next_cursor=cursor)


@router.get(
    "/message",
    response_class=Response,
    responses={**_XML, **problems(401, 409)},
    summary="The prepared message of open milestones",
)
async def prepared_message(
    identity: CurrentIdentity,
    session: DbSession,
    ctx: DeclarationContextDep,
    ids: Annotated[list[str], Query(min_length=1, max_length=100, description="milestone ids, one type")],
) -> Response:
    """One CEB507/509/513 message of up to 100 of the caller's open milestones, for the firm to sign."""
    body = await service.prepared_message(session, ctx, identity, ids)
    return Response(body, media_type="application/xml")


@router.post(
    "/release",
    response_model=ReleaseOut,
    responses=problems(400, 401, 409, 422),
    summary="Release a prepared message signed by the firm",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/xml": {"schema": {"type": "string"}}},
        }
    },
)
async def release(
    request: Request,
    identity: CurrentIdentity,
    session: DbSession,
    runtime: RuntimeDep,
    ctx: DeclarationContextDep,
) -> ReleaseOut:
    """File the firm's signed message: its own signature travels to customs, the platform signs nothing."""
    body = await request.body()
    filed, rows = await service.release(
        session, runtime.publisher, ctx, identity, body, request.headers.get("content-type", ""), utcnow()
    )
    return ReleaseOut(
        filing_id=filed.filing_id,
        outcome=filed.outcome,  # type: ignore[arg-type]
        milestones=[MilestoneOut.of(row) for row in rows],
    )


@router.get(
    "/{milestone_id}",
    response_model=MilestoneOut,
    responses=problems(401, 404),
    summary="One of your milestones",
)
async def read_milestone(milestone_id: str, identity: CurrentIdentity, session: DbSession) -> MilestoneOut:
    """One milestone of the calling firm (404 for anybody else's)."""
    return MilestoneOut.of(await service.one(session, identity, milestone_id))
