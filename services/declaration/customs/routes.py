"""The pull API of the exchange with customs (behind the gateway, prefix ``/v1/customs/``).

* ``GET /changes?cursor=&limit=`` — the caller's status changes, oldest first (a feed);
* ``GET /documents/{id}/customs`` — a document's customs side (state, numbers, tax bills,
  summary result, the message that carried it);
* ``GET /documents/{id}/receipts`` — every receipt record it received and what it did;
* ``GET /receipts/{id}`` — a receipt as customs sent it (CEB XML; ``?envelope=true`` the
  DXP envelope as delivered), for the filers of the documents it concerns;
* ``GET /outbound/{message_id}`` — a message exactly as sent to customs (the envelope;
  ``?envelope=false`` the signed CEB XML inside), for its filer;
* ``GET /export/summaries?month=&cursor=`` — the caller's inventories of a month, their summaries and
  where it stands;
* ``GET /export/summaries/preview?month=…`` — the applications and CEB701 messages a
  submission would file;
* ``POST /export/summaries`` — file them (JSON ``{month, summaryFlag, itemNameFlag,
  declAgentCode, declAgentName}``).

Personal data: receipts and outbound messages are sealed at rest and served only to the
filer; the change feed and the views carry codes, numbers and names of statuses only.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response

from services.declaration.ceb.json_codec import message_to_json
from services.declaration.context import DeclarationContextDep
from services.declaration.customs import summaries
from services.declaration.customs.schemas import (
    ChangesPage,
    DocumentCustoms,
    DocumentReceipts,
    SummaryPreview,
    SummaryStatus,
    SummarySubmission,
    SummarySubmitted,
)
from services.declaration.customs.views import (
    changes_page,
    customs_view,
    entries_of,
    entries_view,
    outbound_bytes,
    receipt_bytes,
)
from services.declaration.documents.kinds import document_type
from services.declaration.documents.service import visible_document
from services.declaration.intake.answers import DRY_RUN_HEADER, XML_MEDIA_TYPE
from services.declaration.intake.filed import RawBody
from services.declaration.intake.schemas import DryRun
from services.declaration.intake.service import file_message
from shared.identity import CurrentIdentity
from shared.kit.pagination import PageRequest, page_request_for
from shared.kit.params import RowId
from shared.kit.responses import problems, raw_response
from shared.problems import VALIDATION_FAILED, ProblemError
from shared.service import DbSession, RuntimeDep
from shared.sqltypes import utcnow

router = APIRouter(prefix="/v1/customs", tags=["customs exchange"])

ChangesPageParams = Annotated[
    PageRequest, Depends(page_request_for(alias="after", default_limit=200, max_limit=1000))
]
SummaryPageParams = Annotated[PageRequest, Depends(page_request_for(default_limit=500))]
_XML = raw_response(
    {XML_MEDIA_TYPE: None}, "The XML exactly as it travelled (`X-Content-SHA256` is its hash)"
)


@router.get(
    "/changes",
    summary="The caller's document status changes, oldest first (cursor feed)",
    response_model=ChangesPage,
    responses=problems(401, 422),
)
async def changes(identity: CurrentIdentity, session: DbSession, page: ChangesPageParams) -> JSONResponse:
    """Every status change of the caller's documents after the cursor (part 1's and customs')."""
    return JSONResponse(await changes_page(session, identity, page))


@router.get(
    "/documents/{document_id}/customs",
    summary="A document's customs state, numbers and results",
    response_model=DocumentCustoms,
    responses=problems(401, 404),
)
async def document_customs(document_id: str, identity: CurrentIdentity, session: DbSession) -> JSONResponse:
    """State, customs numbers (preNo, invtNo, sumNo, entryId), tax bills, summary result, outbound message."""
    await visible_document(session, identity, document_id)
    return JSONResponse({"documentId": document_id, "customs": await customs_view(session, document_id)})


@router.get(
    "/documents/{document_id}/receipts",
    summary="Every customs receipt of a document",
    response_model=DocumentReceipts,
    responses=problems(401, 404),
)
async def document_receipts(document_id: str, identity: CurrentIdentity, session: DbSession) -> JSONResponse:
    """What each receipt record did: applied, unchanged, stale, duplicate or unknown."""
    await visible_document(session, identity, document_id)
    return JSONResponse(
        {"documentId": document_id, "receipts": entries_view(await entries_of(session, document_id))}
    )


@router.get(
    "/receipts/{receipt_id}",
    summary="A customs receipt as received (filer of its documents only)",
    response_class=Response,
    responses={**_XML, **problems(401, 404, 422)},
)
async def receipt_original(
    receipt_id: RowId,
    identity: CurrentIdentity,
    session: DbSession,
    ctx: DeclarationContextDep,
    envelope: bool = False,
) -> Response:
    """The CEB receipt XML customs sent (or the DXP envelope it came in)."""
    body, sha256 = await receipt_bytes(session, ctx.vault, identity, receipt_id, envelope)
    return Response(body, media_type=XML_MEDIA_TYPE, headers={"X-Content-SHA256": sha256})


@router.get(
    "/outbound/{message_id}",
    summary="A message exactly as sent to customs (its filer only)",
    response_class=Response,
    responses={**_XML, **problems(401, 404)},
)
async def outbound_original(
    message_id: str,
    identity: CurrentIdentity,
    session: DbSession,
    ctx: DeclarationContextDep,
    envelope: bool = True,
) -> Response:
    """The bytes handed to the transport (``envelope=false``: the signed CEB message inside)."""
    body, sha256 = await outbound_bytes(session, ctx.vault, identity, message_id, envelope)
    return Response(body, media_type=XML_MEDIA_TYPE, headers={"X-Content-SHA256": sha256})


# --- monthly summaries -------------------------------------------------------------------------------


def _month(text: str) -> summaries.Month:
    try:
        return summaries.parse_month(text)
    except ValueError as exc:
        raise ProblemError(
            VALIDATION_FAILED, str(exc), errors=[{"pointer": "/month", "detail": str(exc)}]
        ) from None


def _request(submission: SummarySubmission) -> summaries.SummaryRequest:
    return summaries.SummaryRequest(
        _month(submission.month),
        submission.summary_flag,
        submission.item_name_flag,
        submission.decl_agent_code,
        submission.decl_agent_name,
    )


@router.get(
    "/export/summaries",
    summary="The caller's 9610 export inventories of a month and their summaries",
    response_model=SummaryStatus,
    responses=problems(401, 422),
)
async def summary_status(
    identity: CurrentIdentity,
    session: DbSession,
    ctx: DeclarationContextDep,
    page: SummaryPageParams,
    month: Annotated[str, Query(pattern=r"^[0-9]{4}-[0-9]{2}$")],
) -> JSONResponse:
    """Inventories of the month (a page), which are in a summary, the deadline and the CEB792 links."""
    view = await summaries.status_page(
        session, ctx.settings, _month(month), identity.party_id, page, utcnow()
    )
    return JSONResponse(view)


@router.get(
    "/export/summaries/preview",
    summary="The summary applications a submission would file",
    response_model=SummaryPreview,
    responses=problems(401, 422),
)
async def summary_preview(
    identity: CurrentIdentity,
    session: DbSession,
    ctx: DeclarationContextDep,
    month: Annotated[str, Query(pattern=r"^[0-9]{4}-[0-9]{2}$")],
    decl_agent_code: Annotated[str, Query(alias="declAgentCode", min_length=1, max_length=18)],
    decl_agent_name: Annotated[str, Query(alias="declAgentName", min_length=1, max_length=100)],
    summary_flag: Annotated[str, Query(alias="summaryFlag", pattern="^[12]$")] = "1",
    item_name_flag: Annotated[str, Query(alias="itemNameFlag", pattern="^1?$")] = "",
) -> JSONResponse:
    """Groups, parts (≤ 100 inventories each) and the CEB701 messages, nothing stored."""
    settings = ctx.settings
    request = summaries.SummaryRequest(
        _month(month), summary_flag, item_name_flag, decl_agent_code, decl_agent_name
    )
    now = utcnow()
    items = await summaries.month_inventories(session, settings, request.month, identity.party_id)
    applications = summaries.applications_for(settings, items, request, now)
    messages = summaries.messages_for(settings, applications, request, now)
    return JSONResponse(
        {
            **summaries.deadline_view(request.month, now, applied=not applications),
            "applications": [summaries.application_view(app, messages) for app in applications],
        }
    )


@router.post(
    "/export/summaries",
    summary="File the month's summary applications (CEB701)",
    response_model=SummarySubmitted,
    responses={
        422: {
            "description": "A part was rejected (see `filed`), or the request is invalid",
            "model": SummarySubmitted,
        },
        **problems(401, 403, 503),
    },
)
async def summary_submit(
    submission: SummarySubmission,
    identity: CurrentIdentity,
    runtime: RuntimeDep,
    ctx: DeclarationContextDep,
    dry_run: DryRun = False,
) -> JSONResponse:
    """Build the applications and file each CEB701 message through the intake (as the caller).

    With ``?dryRun=true`` each part is checked as its filing would be and nothing is kept.
    """
    wanted = _request(submission)
    now = utcnow()
    async with runtime.db.transaction() as session:
        items = await summaries.month_inventories(session, ctx.settings, wanted.month, identity.party_id)
    applications = summaries.applications_for(ctx.settings, items, wanted, now)
    messages = summaries.messages_for(ctx.settings, applications, wanted, now)
    doc_type = document_type("CEB701")
    assert doc_type is not None
    filed = []
    for message in messages:
        body = json.dumps(message_to_json(message), ensure_ascii=False).encode()
        raw = RawBody(body, "json", "application/json")
        async with ctx.admission.slot():
            result = await file_message(runtime, ctx, identity, doc_type, message, raw, dry_run=dry_run)
        head = message.records[0].head
        filed.append(
            {
                "copNo": head.get("copNo"),
                "msgSeqNo": head.get("msgSeqNo"),
                "msgCount": head.get("msgCount"),
                "filingId": None if dry_run else result.filing_id,
                "accepted": result.accepted_count == 1,
                "documentId": (
                    result.results[0].document_id if 0 in result.results and not dry_run else None
                ),
                "errors": [issue.to_dict() for verdict in result.answer.verdicts for issue in verdict.errors],
            }
        )
    status = 200 if all(item["accepted"] for item in filed) else 422 if filed else 200
    return JSONResponse(
        {
            **summaries.deadline_view(wanted.month, now, applied=bool(filed) or not items),
            "applications": [summaries.application_view(app, messages) for app in applications],
            "filed": filed,
            **({"dryRun": True} if dry_run else {}),
        },
        status_code=status,
        headers={DRY_RUN_HEADER: "true"} if dry_run else None,
    )
