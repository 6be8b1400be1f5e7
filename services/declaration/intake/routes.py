"""HTTP intake: one resource per enterprise-sent message type, plus a generic message endpoint.

* ``POST /v1/customs/messages`` — any declaration as CEB XML (the type is the root
  element), or as the JSON message form with ``messageType``.
* ``POST /v1/customs/{import|export}/{resource}`` — one message type each (orders,
  payments, waybills, inventories …); XML or JSON. See :mod:`..documents.kinds`.
* ``GET /v1/customs/codes`` — every code the answers and receipts carry
  (:mod:`services.declaration.ceb.code_catalogue`, docs/declaration-codes.md).

Every filing route takes ``?dryRun=true``: every check a filing runs, nothing kept
(:func:`..service.dry_run_in`), the answer marked (:mod:`.answers`).

Content type decides the format (``application/xml``/``text/xml`` or
``application/json``); ``Accept`` decides the answer's (JSON unless XML is preferred).
Routes stay thin: parsing, filing and rendering live in their modules.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import TimeoutError as PoolTimeout

from services.declaration.ceb.code_catalogue import catalogue_json
from services.declaration.ceb.issues import Issue
from services.declaration.context import DeclarationContext, DeclarationContextDep
from services.declaration.documents.kinds import DocumentType, all_types, document_type
from services.declaration.intake import answers
from services.declaration.intake.admission import OVERLOADED
from services.declaration.intake.parsing import Parsed, parse_json, parse_xml
from services.declaration.intake.schemas import (
    CodeCatalogueOut,
    DryRun,
    FilingAnswer,
    request_body,
    responses,
)
from services.declaration.intake.service import RawBody, file_message, store_filing
from shared.budget import START_BY_HEADER
from shared.identity import CurrentIdentity, Identity
from shared.kit.responses import problems
from shared.problems import ProblemError
from shared.service import Runtime, RuntimeDep
from shared.sqltypes import utcnow

router = APIRouter(prefix="/v1/customs", tags=["customs declarations"])

NOT_A_DECLARATION_CODE = "DDT-208"
WRONG_TYPE_CODE = "DDT-209"


@router.get(
    "/codes",
    summary="Every code an answer or receipt carries: customs' and the platform's DDT-…",
    response_model=CodeCatalogueOut,
    responses=problems(401),
)
async def list_codes(_identity: CurrentIdentity) -> JSONResponse:
    """The code catalogue: scheme, family, message types, customs' Chinese text, meaning, what to do."""
    return JSONResponse(catalogue_json())


def _is_xml(request: Request) -> bool:
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return media in {"application/xml", "text/xml"} or media.endswith("+xml")


async def _intake(
    request: Request,
    identity: Identity,
    runtime: Runtime,
    ctx: DeclarationContext,
    expected: DocumentType | None,
    dry_run: bool = False,
) -> Response:
    try:
        return await _intake_checked(request, identity, runtime, ctx, expected, dry_run)
    except ProblemError as exc:
        # A whole-message refusal raised by a check (403 ownership, 503 admission) reads the
        # same as a real filing's, and says it answered a dry run.
        if dry_run:
            exc.headers[answers.DRY_RUN_HEADER] = "true"
            exc.extensions["dryRun"] = True
        raise


async def _intake_checked(
    request: Request,
    identity: Identity,
    runtime: Runtime,
    ctx: DeclarationContext,
    expected: DocumentType | None,
    dry_run: bool,
) -> Response:
    # Refused at the door, before the body is parsed, if it waited past its start-by already.
    start_by = ctx.admission.start_by(request.headers.get(START_BY_HEADER))
    ctx.admission.check(start_by)
    data = await request.body()
    xml_in = _is_xml(request)
    xml_out = answers.wants_xml(request)
    raw = RawBody(data, "xml" if xml_in else "json", request.headers.get("content-type", ""))
    parsed = (
        parse_xml(data, ctx.xml_limits)
        if xml_in
        else parse_json(
            data,
            expected.message_type if expected else None,
            ctx.xml_limits,
            platform_signs=ctx.settings.platform_signs_outbound,
        )
    )
    if not parsed.ok or parsed.message is None:
        if parsed.stage == "syntax":
            kind = answers.XML_REJECTED if xml_in else answers.JSON_REJECTED
        else:
            kind = answers.SCHEMA_INVALID
        return await _refuse(
            runtime, ctx, identity, raw, parsed, kind, xml_out, start_by=start_by, dry_run=dry_run
        )
    message = parsed.message
    doc_type = document_type(message.message_type)
    if doc_type is None:
        issue = Issue(
            NOT_A_DECLARATION_CODE,
            f"{message.message_type} is sent by customs, not by enterprises; file a declaration instead",
            "/messageType",
            element=f"ceb:{message.message_type}Message",
        )
        return await _refuse(
            runtime,
            ctx,
            identity,
            raw,
            parsed,
            answers.NOT_A_DECLARATION,
            xml_out,
            [issue],
            start_by=start_by,
            dry_run=dry_run,
        )
    if expected is not None and doc_type is not expected:
        issue = Issue(
            WRONG_TYPE_CODE,
            f"{expected.path} takes {expected.message_type} messages, not {message.message_type}",
            "/messageType",
            element=f"ceb:{message.message_type}Message",
        )
        return await _refuse(
            runtime,
            ctx,
            identity,
            raw,
            parsed,
            answers.WRONG_MESSAGE_TYPE,
            xml_out,
            [issue],
            start_by=start_by,
            dry_run=dry_run,
        )
    try:
        async with ctx.admission.slot(start_by):
            filed = await file_message(runtime, ctx, identity, doc_type, message, raw, dry_run=dry_run)
    except PoolTimeout as exc:  # the admission bound should make this rare: fail as "busy", not 500
        raise ProblemError(
            OVERLOADED,
            "No database connection became free in time.",
            headers={"Retry-After": str(ctx.admission.budget.retry_after_seconds)},
        ) from exc
    return answers.filed_response(filed, xml_out)


async def _refuse(
    runtime: Runtime,
    ctx: DeclarationContext,
    identity: Identity,
    raw: RawBody,
    parsed: Parsed,
    kind: answers.ProblemType,
    xml_out: bool,
    issues: list[Issue] | None = None,
    *,
    start_by: float | None = None,
    dry_run: bool = False,
) -> Response:
    """Keep the refused filing (nothing is dropped silently), then answer for the whole message.

    A dry run keeps nothing and answers the same refusal, marked.
    """
    found = list(issues or parsed.issues)
    now = utcnow()
    guid = parsed.message.guid if parsed.message is not None else None
    if dry_run:
        return answers.format_failure_response(
            kind,
            found,
            xml=xml_out,
            original=raw.data,
            now=now,
            ori_cop_msg_id=guid or str(uuid.uuid4()),
            message_type=parsed.message_type,
            filing_id=None,
            dry_run=True,
        )
    filing_id = str(uuid.uuid4())
    async with ctx.admission.slot(start_by), runtime.db.transaction() as session:
        await store_filing(
            session,
            ctx,
            identity,
            raw,
            filing_id,
            now,
            message_type=parsed.message_type,
            direction=None,
            guid=guid,
            envelope=None,
            record_count=len(parsed.message.records) if parsed.message is not None else 0,
            accepted_count=0,
            outcome="format_error",
            answer={"problem": kind.code, "issues": [issue.to_dict() for issue in found]},
        )
    return answers.format_failure_response(
        kind,
        found,
        xml=xml_out,
        original=raw.data,
        now=now,
        ori_cop_msg_id=guid or filing_id,
        message_type=parsed.message_type,
        filing_id=filing_id,
    )


@router.post(
    "/messages",
    summary="File any declaration message (CEB XML, or JSON with messageType)",
    openapi_extra=request_body(None),
    response_model=FilingAnswer,
    responses=responses(None),
)
async def file_any_message(
    request: Request,
    identity: CurrentIdentity,
    runtime: RuntimeDep,
    ctx: DeclarationContextDep,
    dry_run: DryRun = False,
) -> Response:
    """File a declaration of any enterprise-sent type; the answer reads like customs' receipt."""
    return await _intake(request, identity, runtime, ctx, None, dry_run)


def _resource_endpoint(doc_type: DocumentType):  # type: ignore[no-untyped-def]
    async def endpoint(
        request: Request,
        identity: CurrentIdentity,
        runtime: RuntimeDep,
        ctx: DeclarationContextDep,
        dry_run: DryRun = False,
    ) -> Response:
        return await _intake(request, identity, runtime, ctx, doc_type, dry_run)

    endpoint.__name__ = f"file_{doc_type.direction}_{doc_type.resource.replace('-', '_')}"
    endpoint.__doc__ = f"File {doc_type.spec.title} ({doc_type.message_type}) records as CEB XML or JSON."
    return endpoint


for _type in all_types():
    router.add_api_route(
        f"/{_type.direction}/{_type.resource}",
        _resource_endpoint(_type),
        methods=["POST"],
        summary=f"File {_type.spec.title} ({_type.message_type})",
        openapi_extra=request_body(_type),
        response_model=FilingAnswer,
        responses=responses(_type),
    )
