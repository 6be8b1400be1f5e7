"""The pull API of the exchange with customs (behind the gateway, prefix ``/v1/customs/``).

* ``GET /changes?after=&limit=`` — the caller's status changes, oldest first, with a cursor;
* ``GET /documents/{id}/customs`` — a document's customs side (state, numbers, tax bills,
  summary result, the message that carried it);
* ``GET /documents/{id}/receipts`` — every receipt record it received and what it did;
* ``GET /receipts/{id}`` — a receipt as customs sent it (CEB XML; ``?envelope=true`` the
  DXP envelope as delivered), for the filers of the documents it concerns;
* ``GET /outbound/{message_id}`` — a message exactly as sent to customs (the envelope;
  ``?envelope=false`` the signed CEB XML inside), for its filer;
* ``GET /export/summaries?month=`` — the caller's summaries of a month and where it stands;
* ``GET /export/summaries/preview?month=…`` — the applications and CEB701 messages a
  submission would file;
* ``POST /export/summaries`` — file them (JSON ``{month, summaryFlag, itemNameFlag,
  declAgentCode, declAgentName}``).

Personal data: receipts and outbound messages are sealed at rest and served only to the
filer; the change feed and the views carry codes, numbers and names of statuses only.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from services.declaration.ceb.json_codec import message_to_json
from services.declaration.context import DeclarationRuntime, context_of
from services.declaration.customs import summaries
from services.declaration.customs.models import CustomsOutboundMessage, CustomsReceipt, CustomsReceiptEntry
from services.declaration.customs.views import customs_view, entries_of, entries_view
from services.declaration.documents.kinds import document_type
from services.declaration.documents.models import Document, StatusChange
from services.declaration.documents.routes import visible_document
from services.declaration.exchange.envelope import unwrap
from services.declaration.intake.answers import XML_MEDIA_TYPE
from services.declaration.intake.filed import RawBody
from services.declaration.intake.service import file_message
from services.declaration.personal_data.vault import Sealed
from shared.identity import CurrentIdentity
from shared.problems import NOT_FOUND, VALIDATION_FAILED, ProblemError
from shared.service import DbSession
from shared.sqltypes import utcnow

router = APIRouter(prefix="/v1/customs", tags=["customs exchange"])


@router.get("/changes", summary="The caller's document status changes, oldest first (cursor feed)")
async def changes(
    identity: CurrentIdentity,
    session: DbSession,
    after: Annotated[
        int, Query(ge=0, description="cursor: the `next` of the previous page (0: from the start)")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    """Every status change of the caller's documents after the cursor (part 1's and customs')."""
    rows = (
        await session.execute(
            select(
                StatusChange, Document.kind, Document.message_type, Document.business_no, Document.direction
            )
            .join(Document, Document.id == StatusChange.document_id)
            .where(StatusChange.party_id == identity.party_id, StatusChange.id > after)
            .order_by(StatusChange.id)
            .limit(limit)
        )
    ).all()
    return {
        "changes": [
            {
                "cursor": change.id,
                "documentId": change.document_id,
                "kind": kind,
                "messageType": message_type,
                "direction": direction,
                "businessNo": business_no,
                "from": change.from_status,
                "to": change.to_status,
                "customsStatus": change.customs_status,
                "reason": change.reason,
                "at": change.occurred_at.isoformat(),
            }
            for change, kind, message_type, business_no, direction in rows
        ],
        "next": rows[-1][0].id if rows else after,
    }


@router.get("/documents/{document_id}/customs", summary="A document's customs state, numbers and results")
async def document_customs(document_id: str, identity: CurrentIdentity, session: DbSession) -> dict[str, Any]:
    """State, customs numbers (preNo, invtNo, sumNo, entryId), tax bills, summary result, outbound message."""
    await visible_document(session, identity, document_id)
    view = await customs_view(session, document_id)
    return {"documentId": document_id, "customs": view}


@router.get("/documents/{document_id}/receipts", summary="Every customs receipt of a document")
async def document_receipts(
    document_id: str, identity: CurrentIdentity, session: DbSession
) -> dict[str, Any]:
    """What each receipt record did: applied, unchanged, stale, duplicate or unknown."""
    await visible_document(session, identity, document_id)
    return {"documentId": document_id, "receipts": entries_view(await entries_of(session, document_id))}


@router.get("/receipts/{receipt_id}", summary="A customs receipt as received (filer of its documents only)")
async def receipt_original(
    receipt_id: int,
    identity: CurrentIdentity,
    session: DbSession,
    runtime: DeclarationRuntime,
    envelope: bool = False,
) -> Response:
    """The CEB receipt XML customs sent (or the DXP envelope it came in)."""
    row = await session.scalar(select(CustomsReceipt).where(CustomsReceipt.id == receipt_id))
    concerns = await session.scalar(
        select(CustomsReceiptEntry.id)
        .where(
            CustomsReceiptEntry.receipt_id == receipt_id, CustomsReceiptEntry.party_id == identity.party_id
        )
        .limit(1)
    )
    if row is None or concerns is None:
        raise ProblemError(NOT_FOUND, f"No receipt {receipt_id} concerning the caller's documents.")
    payload = context_of(runtime).vault.open(
        Sealed(row.payload_key_id, row.payload_cipher), f"receipt:{row.sha256}"
    )
    body = payload if envelope or row.envelope == "bare" else unwrap(payload).business_xml
    return Response(body, media_type=XML_MEDIA_TYPE, headers={"X-Content-SHA256": row.sha256})


@router.get("/outbound/{message_id}", summary="A message exactly as sent to customs (its filer only)")
async def outbound_original(
    message_id: str,
    identity: CurrentIdentity,
    session: DbSession,
    runtime: DeclarationRuntime,
    envelope: bool = True,
) -> Response:
    """The bytes handed to the transport (``envelope=false``: the signed CEB message inside)."""
    row = await session.scalar(
        select(CustomsOutboundMessage).where(CustomsOutboundMessage.message_id == message_id)
    )
    if row is None or row.party_id != identity.party_id:
        raise ProblemError(NOT_FOUND, f"No outbound message {message_id} of the caller.")
    payload = context_of(runtime).vault.open(Sealed(row.payload_key_id, row.payload_cipher), row.message_id)
    body = payload if envelope else unwrap(payload).business_xml
    return Response(body, media_type=XML_MEDIA_TYPE, headers={"X-Content-SHA256": row.payload_sha256})


# --- monthly summaries -------------------------------------------------------------------------------


class SummarySubmission(BaseModel):
    """A request for the month's summary applications."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    month: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}$")
    summary_flag: str = Field(default="1", alias="summaryFlag", pattern="^[12]$")
    item_name_flag: str = Field(default="", alias="itemNameFlag", pattern="^1?$")
    decl_agent_code: str = Field(alias="declAgentCode", min_length=1, max_length=18)
    decl_agent_name: str = Field(alias="declAgentName", min_length=1, max_length=100)

    def request(self) -> summaries.SummaryRequest:
        return summaries.SummaryRequest(
            _month(self.month),
            self.summary_flag,
            self.item_name_flag,
            self.decl_agent_code,
            self.decl_agent_name,
        )


def _month(text: str) -> summaries.Month:
    try:
        return summaries.parse_month(text)
    except ValueError as exc:
        raise ProblemError(
            VALIDATION_FAILED, str(exc), errors=[{"pointer": "/month", "detail": str(exc)}]
        ) from None


@router.get("/export/summaries", summary="The caller's 9610 export summaries of a month")
async def summary_status(
    identity: CurrentIdentity,
    session: DbSession,
    runtime: DeclarationRuntime,
    month: Annotated[str, Query(pattern=r"^[0-9]{4}-[0-9]{2}$")],
) -> dict[str, Any]:
    """Inventories of the month, which are in a summary, the deadline and the CEB792 links."""
    settings = context_of(runtime).settings
    items = await summaries.month_inventories(session, settings, _month(month), identity.party_id)
    links = await summaries.results_by_inventory(session, [item.document_id for item in items])
    pending = [item for item in items if item.summary_id is None]
    return {
        **summaries.deadline_view(_month(month), utcnow(), applied=not pending),
        "inventories": [
            {
                "documentId": item.document_id,
                "invtNo": item.inventory.invt_no,
                "summaryId": item.summary_id,
                "declarations": links.get(item.document_id, []),
            }
            for item in items
        ],
        "pending": len(pending),
    }


@router.get("/export/summaries/preview", summary="The summary applications a submission would file")
async def summary_preview(
    identity: CurrentIdentity,
    session: DbSession,
    runtime: DeclarationRuntime,
    month: Annotated[str, Query(pattern=r"^[0-9]{4}-[0-9]{2}$")],
    decl_agent_code: Annotated[str, Query(alias="declAgentCode", min_length=1, max_length=18)],
    decl_agent_name: Annotated[str, Query(alias="declAgentName", min_length=1, max_length=100)],
    summary_flag: Annotated[str, Query(alias="summaryFlag", pattern="^[12]$")] = "1",
    item_name_flag: Annotated[str, Query(alias="itemNameFlag", pattern="^1?$")] = "",
) -> dict[str, Any]:
    """Groups, parts (≤ 100 inventories each) and the CEB701 messages, nothing stored."""
    settings = context_of(runtime).settings
    request = summaries.SummaryRequest(
        _month(month), summary_flag, item_name_flag, decl_agent_code, decl_agent_name
    )
    now = utcnow()
    items = await summaries.month_inventories(session, settings, request.month, identity.party_id)
    applications = summaries.applications_for(settings, items, request, now)
    messages = summaries.messages_for(settings, applications, request, now)
    return {
        **summaries.deadline_view(request.month, now, applied=not applications),
        "applications": [summaries.application_view(app, messages) for app in applications],
    }


@router.post("/export/summaries", summary="File the month's summary applications (CEB701)")
async def summary_submit(
    submission: SummarySubmission, identity: CurrentIdentity, runtime: DeclarationRuntime, request: Request
) -> JSONResponse:
    """Build the applications and file each CEB701 message through the intake (as the caller)."""
    ctx = context_of(runtime)
    wanted = submission.request()
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
            result = await file_message(runtime, ctx, identity, doc_type, message, raw)
        head = message.records[0].head
        filed.append(
            {
                "copNo": head.get("copNo"),
                "msgSeqNo": head.get("msgSeqNo"),
                "msgCount": head.get("msgCount"),
                "filingId": result.filing_id,
                "accepted": result.accepted_count == 1,
                "documentId": result.results[0].document_id if 0 in result.results else None,
                "errors": [issue.to_dict() for verdict in result.answer.verdicts for issue in verdict.errors],
            }
        )
    status = 200 if all(item["accepted"] for item in filed) else 422 if filed else 200
    return JSONResponse(
        {
            **summaries.deadline_view(wanted.month, now, applied=bool(filed) or not items),
            "applications": [summaries.application_view(app, messages) for app in applications],
            "filed": filed,
        },
        status_code=status,
    )
