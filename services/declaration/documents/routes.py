"""Reading documents and filings back (JSON, or CEB XML for the filer)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select

from services.declaration.context import DeclarationRuntime, context_of
from services.declaration.customs.views import customs_view, entries_of, entries_view
from services.declaration.documents import views
from services.declaration.documents.kinds import all_types
from services.declaration.documents.models import Document, Filing, StatusChange
from services.declaration.intake.answers import XML_MEDIA_TYPE, wants_xml
from services.declaration.matching.models import InventoryMatch
from services.declaration.personal_data.vault import Sealed
from services.declaration.tax.models import TaxAssessmentRow
from shared.identity import CurrentIdentity, Identity
from shared.problems import FORBIDDEN, NOT_FOUND, ProblemError
from shared.service import DbSession

router = APIRouter(prefix="/v1/customs", tags=["customs documents"])


async def visible_document(session: DbSession, identity: Identity, document_id: str) -> tuple[Document, str]:
    """The document and the caller's visibility (filer or named), or 404."""
    document = await session.scalar(select(Document).where(Document.id == document_id))
    visibility = views.access(identity, document) if document is not None else None
    if document is None or visibility is None:
        raise ProblemError(NOT_FOUND, f"No document {document_id} visible to the caller.")
    return document, visibility


async def _document_response(
    request: Request,
    session: DbSession,
    runtime: DeclarationRuntime,
    identity: Identity,
    document_id: str,
    kind: str | None,
) -> Response:
    ctx = context_of(runtime)
    document, visibility = await visible_document(session, identity, document_id)
    if kind is not None and (document.direction, document.kind) != tuple(kind.split(":")):
        raise ProblemError(NOT_FOUND, f"Document {document_id} is not a {kind.split(':')[1]}.")
    if wants_xml(request):
        if visibility != views.FILER:
            raise ProblemError(
                FORBIDDEN, "Only the filer may read a document as CEB XML (it carries personal data)."
            )
        filing = await session.scalar(select(Filing).where(Filing.id == document.filing_id))
        assert filing is not None
        return Response(views.regenerate_xml(ctx, document, filing), media_type=XML_MEDIA_TYPE)
    match = await session.scalar(select(InventoryMatch).where(InventoryMatch.inventory_id == document.id))
    tax = await session.scalar(select(TaxAssessmentRow).where(TaxAssessmentRow.document_id == document.id))
    view = views.document_view(ctx, document, visibility, match, tax)
    view["customs"] = await customs_view(session, document.id)
    return JSONResponse(view)


@router.get(
    "/documents/{document_id}", summary="A filed document (JSON; CEB XML with Accept: application/xml)"
)
async def get_document(
    document_id: str,
    request: Request,
    identity: CurrentIdentity,
    session: DbSession,
    runtime: DeclarationRuntime,
) -> Response:
    """The document with its status, match report and tax; personal data masked except for the filer."""
    return await _document_response(request, session, runtime, identity, document_id, None)


@router.get("/documents/{document_id}/history", summary="Status history of a document")
async def get_history(document_id: str, identity: CurrentIdentity, session: DbSession) -> dict[str, Any]:
    """Every status the document went through, oldest first, and every customs receipt it received."""
    await visible_document(session, identity, document_id)
    rows = await session.scalars(
        select(StatusChange).where(StatusChange.document_id == document_id).order_by(StatusChange.id)
    )
    return {
        "documentId": document_id,
        "history": [
            {
                "from": r.from_status,
                "to": r.to_status,
                "customsStatus": r.customs_status,
                "reason": r.reason,
                "at": r.occurred_at.isoformat(),
            }
            for r in rows
        ],
        "receipts": entries_view(await entries_of(session, document_id)),
    }


@router.get("/documents", summary="The caller's documents, newest first")
async def list_documents(
    identity: CurrentIdentity,
    session: DbSession,
    kind: Annotated[str | None, Query(max_length=20)] = None,
    direction: Annotated[str | None, Query(pattern="^(import|export)$")] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    business_no: Annotated[str | None, Query(alias="businessNo", max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before: Annotated[int | None, Query(description="cursor: the `next` value of the previous page")] = None,
) -> dict[str, Any]:
    """Documents the caller filed (summaries); page with ``before``."""
    query = select(Document).where(Document.party_id == identity.party_id)
    for column, value in (
        (Document.kind, kind),
        (Document.direction, direction),
        (Document.status, status),
        (Document.business_no, business_no),
    ):
        if value is not None:
            query = query.where(column == value)
    if before is not None:
        query = query.where(Document.seq < before)
    rows = list(await session.scalars(query.order_by(Document.seq.desc()).limit(limit)))
    return {
        "documents": [views.summary_view(doc) for doc in rows],
        "next": rows[-1].seq if len(rows) == limit else None,
    }


@router.get("/filings/{filing_id}", summary="A filing and the answer it got (filer only)")
async def get_filing(
    filing_id: str, identity: CurrentIdentity, session: DbSession, runtime: DeclarationRuntime
) -> dict[str, Any]:
    """Metadata of a received message and the answer returned for it."""
    filing = await _own_filing(session, identity, filing_id)
    ctx = context_of(runtime)
    answer = ctx.vault.open_json(Sealed(filing.answer_key_id, filing.answer_cipher), f"{filing.id}:answer")
    return {
        "id": filing.id,
        "messageType": filing.message_type,
        "direction": filing.direction,
        "guid": filing.guid,
        "contentFormat": filing.content_format,
        "size": filing.raw_size,
        "sha256": filing.raw_sha256,
        "recordCount": filing.record_count,
        "acceptedCount": filing.accepted_count,
        "outcome": filing.outcome,
        "receivedAt": filing.received_at.isoformat(),
        "answer": answer,
    }


@router.get("/filings/{filing_id}/original", summary="The message exactly as it was received (filer only)")
async def get_original(
    filing_id: str, identity: CurrentIdentity, session: DbSession, runtime: DeclarationRuntime
) -> Response:
    """The original bytes, verbatim (for audit and for forwarding signed messages)."""
    filing = await _own_filing(session, identity, filing_id)
    raw = context_of(runtime).vault.open(Sealed(filing.raw_key_id, filing.raw_cipher), filing.id)
    media = XML_MEDIA_TYPE if filing.content_format == "xml" else "application/json"
    return Response(raw, media_type=media, headers={"X-Content-SHA256": filing.raw_sha256})


async def _own_filing(session: DbSession, identity: Identity, filing_id: str) -> Filing:
    filing = await session.scalar(select(Filing).where(Filing.id == filing_id))
    if filing is None or filing.party_id != identity.party_id:
        raise ProblemError(NOT_FOUND, f"No filing {filing_id} of the caller.")
    return filing


def _typed_getter(direction: str, kind: str):  # type: ignore[no-untyped-def]
    async def endpoint(
        document_id: str,
        request: Request,
        identity: CurrentIdentity,
        session: DbSession,
        runtime: DeclarationRuntime,
    ) -> Response:
        return await _document_response(
            request, session, runtime, identity, document_id, f"{direction}:{kind}"
        )

    endpoint.__name__ = f"get_{direction}_{kind}"
    return endpoint


for _type in all_types():
    router.add_api_route(
        f"/{_type.direction}/{_type.resource}/{{document_id}}",
        _typed_getter(_type.direction, _type.kind),
        methods=["GET"],
        summary=f"A filed {_type.spec.title} ({_type.message_type})",
    )
