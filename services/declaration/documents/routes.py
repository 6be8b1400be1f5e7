"""Reading documents and filings back (JSON, or CEB XML for the filer).

Routes are thin: the reads are :mod:`.service`, the answers' shapes :mod:`.schemas`.
JSON answers are built as they always were (amounts as decimal strings) and sent as
they are; the models document them.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from services.declaration.context import DeclarationContextDep
from services.declaration.documents import service
from services.declaration.documents.kinds import all_types
from services.declaration.documents.schemas import DocumentHistory, DocumentsPage, DocumentView, FilingOut
from services.declaration.intake.answers import XML_MEDIA_TYPE, wants_xml
from shared.events.statuses import DocumentStatus
from shared.identity import CurrentIdentity, Identity
from shared.kit.pagination import PageRequest, page_request_for
from shared.kit.responses import problems, raw_response
from shared.service import DbSession

router = APIRouter(prefix="/v1/customs", tags=["customs documents"])

_DOCUMENT_ANSWERS = {
    **raw_response(
        {"application/xml": None},
        "The document (JSON); with `Accept: application/xml`, the record as a one-record CEB message "
        "(its filer only)",
    ),
    **problems(401, 403, 404),
}
DocumentsPageParams = Annotated[
    PageRequest, Depends(page_request_for(alias="before", default_limit=100, max_limit=500))
]


async def _document_response(
    request: Request,
    session: DbSession,
    ctx: DeclarationContextDep,
    identity: Identity,
    document_id: str,
    kind: tuple[str, str] | None,
) -> Response:
    if wants_xml(request):
        xml = await service.document_xml(session, ctx, identity, document_id, kind)
        return Response(xml, media_type=XML_MEDIA_TYPE)
    return JSONResponse(await service.document_json(session, ctx, identity, document_id, kind))


@router.get(
    "/documents/{document_id}",
    summary="A filed document (JSON; CEB XML with Accept: application/xml)",
    response_model=DocumentView,
    responses=_DOCUMENT_ANSWERS,
)
async def get_document(
    document_id: str,
    request: Request,
    identity: CurrentIdentity,
    session: DbSession,
    ctx: DeclarationContextDep,
) -> Response:
    """The document with its status, match report and tax; personal data masked except for the filer."""
    return await _document_response(request, session, ctx, identity, document_id, None)


@router.get(
    "/documents/{document_id}/history",
    summary="Status history of a document",
    response_model=DocumentHistory,
    responses=problems(401, 404),
)
async def get_history(document_id: str, identity: CurrentIdentity, session: DbSession) -> JSONResponse:
    """Every status the document went through, oldest first, and every customs receipt it received."""
    return JSONResponse(await service.history(session, identity, document_id))


@router.get(
    "/documents",
    summary="The caller's documents, newest first",
    response_model=DocumentsPage,
    responses=problems(401, 422),
)
async def list_documents(
    identity: CurrentIdentity,
    session: DbSession,
    page: DocumentsPageParams,
    kind: Annotated[str | None, Query(max_length=20)] = None,
    direction: Annotated[str | None, Query(pattern="^(import|export)$")] = None,
    status: Annotated[
        DocumentStatus | None, Query(description="a document status (an old name reads as its new one)")
    ] = None,
    business_no: Annotated[str | None, Query(alias="businessNo", max_length=100)] = None,
) -> JSONResponse:
    """Documents the caller filed (summaries, no records); page on with ``cursor``."""
    filters = {
        "kind": kind,
        "direction": direction,
        "status": status.value if status else None,
        "business_no": business_no,
    }
    return JSONResponse(await service.documents_page(session, identity, filters, page))


@router.get(
    "/filings/{filing_id}",
    summary="A filing and the answer it got (filer only)",
    response_model=FilingOut,
    responses=problems(401, 404),
)
async def get_filing(
    filing_id: str, identity: CurrentIdentity, session: DbSession, ctx: DeclarationContextDep
) -> JSONResponse:
    """Metadata of a received message and the answer returned for it."""
    filing = await service.own_filing(session, identity, filing_id)
    return JSONResponse(service.filing_json(ctx, filing))


@router.get(
    "/filings/{filing_id}/original",
    summary="The message exactly as it was received (filer only)",
    response_class=Response,
    responses={
        **raw_response(
            {"application/xml": None, "application/json": None},
            "The original bytes, verbatim (`X-Content-SHA256` is their hash)",
        ),
        **problems(401, 404),
    },
)
async def get_original(
    filing_id: str, identity: CurrentIdentity, session: DbSession, ctx: DeclarationContextDep
) -> Response:
    """The original bytes, verbatim (for audit and for forwarding signed messages)."""
    filing = await service.own_filing(session, identity, filing_id)
    media = XML_MEDIA_TYPE if filing.content_format == "xml" else "application/json"
    return Response(
        service.original_bytes(ctx, filing), media_type=media, headers={"X-Content-SHA256": filing.raw_sha256}
    )


def _typed_getter(direction: str, kind: str) -> Any:
    async def endpoint(
        document_id: str,
        request: Request,
        identity: CurrentIdentity,
        session: DbSession,
        ctx: DeclarationContextDep,
    ) -> Response:
        return await _document_response(request, session, ctx, identity, document_id, (direction, kind))

    endpoint.__name__ = f"get_{direction}_{kind}"
    return endpoint


for _type in all_types():
    router.add_api_route(
        f"/{_type.direction}/{_type.resource}/{{document_id}}",
        _typed_getter(_type.direction, _type.kind),
        methods=["GET"],
        summary=f"A filed {_type.spec.title} ({_type.message_type})",
        response_model=DocumentView,
        responses=_DOCUMENT_ANSWERS,
    )
