"""Tracking routes: carriers push in their native shapes, our own batch, and the timeline.

``POST /v1/logistics/push/{source}`` takes one source's native format as it is (UPU EMSEVT,
IATA FSU, DCSA, Kdniao, SF, AfterShip, 17TRACK); ``POST /v1/logistics/events`` takes our
JSON or CSV batch. Every push is answered event by event; a push none of whose events was
taken is a problem+json carrying the same answers.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from services.logistics.adapters.model import ALL_REJECTED, LEG_NOT_YOURS, PushError
from services.logistics.adapters.registry import SOURCES, PushContext, read_push
from services.logistics.context import LogisticsContextDep
from services.logistics.tracking import service
from services.logistics.tracking.repository import TrackingRepository
from services.logistics.tracking.schemas import EventOutcome, PushAnswer, UnmappedCode, UnmappedCodes
from shared.identity import CurrentIdentity, Identity
from shared.kit.responses import problems
from shared.problems import FORBIDDEN, ProblemError
from shared.service import DbSession, RuntimeDep
from shared.sqltypes import utcnow

router = APIRouter(prefix="/v1/logistics", tags=["logistics tracking"])

_PUSH_PROBLEMS = problems(400, 401, 403, 413, 415, 422)
_ALL_MEDIA = sorted({m for source in SOURCES.values() for m in source.media_types})
_BODY = {
    "requestBody": {
        "required": True,
        "content": {media: {"schema": {"type": "string"}} for media in _ALL_MEDIA},
    }
}

SourceSlug = Annotated[str, Path(pattern="^(" + "|".join(s for s in SOURCES if s != "generic") + ")$")]


async def _push(
    slug: str,
    request: Request,
    identity: Identity,
    session: DbSession,
    runtime: RuntimeDep,
    ctx: LogisticsContextDep,
) -> PushAnswer:
    body = await request.body()
    now = utcnow()
    push_ctx = PushContext(ctx.settings.max_batch_events, ctx.xml_limits, now)
    try:
        parsed = read_push(slug, body, request.headers.get("content-type", ""), push_ctx)
    except PushError as exc:
        errors = [{"pointer": exc.pointer or "/body", "detail": exc.detail}]
        raise ProblemError(exc.kind, exc.detail, errors=errors, limit=ctx.settings.max_batch_events) from None
    result = await service.ingest(session, runtime.publisher, ctx, identity, parsed, now)
    answer = PushAnswer(
        accepted=result.count("accepted"),
        duplicates=result.count("duplicate"),
        rejected=result.count("rejected"),
        events=[EventOutcome(**vars(a)) for a in result.answers],
    )
    if answer.rejected and not (answer.accepted or answer.duplicates):
        forbidden = all(a.code == LEG_NOT_YOURS.code for a in result.answers)
        kind = LEG_NOT_YOURS if forbidden else ALL_REJECTED
        raise ProblemError(
            kind,
            f"none of the {answer.rejected} event(s) was taken; each event's answer says why.",
            errors=[{"pointer": a.pointer, "detail": a.detail or "", "type": a.code} for a in result.answers],
            events=[e.model_dump(mode="json") for e in answer.events],
        )
    return answer


@router.post(
    "/push/{source}",
    response_model=PushAnswer,
    responses=_PUSH_PROBLEMS,
    summary="A carrier's or aggregator's push, in its native format",
    openapi_extra=_BODY,
)
async def push(
    source: SourceSlug,
    request: Request,
    identity: CurrentIdentity,
    session: DbSession,
    runtime: RuntimeDep,
    ctx: LogisticsContextDep,
) -> PushAnswer:
    """``source``: ``upu-emsevt`` (XML), ``iata-fsu`` (Cargo-IMP text), ``dcsa`` (JSON), ``kdniao``
    (JSON or RequestData form), ``sf`` (XML or JSON), ``aftership``, ``17track`` (JSON)."""
    return await _push(source, request, identity, session, runtime, ctx)


@router.post(
    "/events",
    response_model=PushAnswer,
    responses=_PUSH_PROBLEMS,
    summary="Tracking events in the platform's own batch format (JSON or CSV)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        # The batch object, or its events as a bare list (adapters/generic.py).
                        "oneOf": [
                            {
                                "type": "object",
                                "required": ["events"],
                                "properties": {"events": {"type": "array", "items": {"type": "object"}}},
                            },
                            {"type": "array", "items": {"type": "object"}},
                        ]
                    }
                },
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    },
)
async def events(
    request: Request,
    identity: CurrentIdentity,
    session: DbSession,
    runtime: RuntimeDep,
    ctx: LogisticsContextDep,
) -> PushAnswer:
    """``{"events": [{"tracking_number", "occurred_at" (with its offset), "status", …}]}``, or CSV."""
    return await _push("generic", request, identity, session, runtime, ctx)


@router.get(
    "/unmapped-codes",
    response_model=UnmappedCodes,
    responses=problems(401, 403),
    summary="Native codes kept raw with the fallback status (platform administrators)",
)
async def unmapped_codes(identity: CurrentIdentity, session: DbSession) -> UnmappedCodes:
    """What to add to the mapping tables next."""
    if not identity.is_admin:
        raise ProblemError(FORBIDDEN, "Platform administrators only.")
    rows = await TrackingRepository(session).unmapped_codes()
    return UnmappedCodes(items=[UnmappedCode(source=s, raw_code=c, events=n) for s, c, n in rows])
