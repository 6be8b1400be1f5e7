"""Reading documents and filings back: who may see what, the JSON views, CEB XML for the filer.

Someone else's document is "not found" (404, not 403), so ids cannot be probed; a named
party (the merchant of a platform's order, the carrier of a waybill …), regulators and
administrators see it with personal values masked (:mod:`.views`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.declaration.context import DeclarationContext
from services.declaration.customs.views import customs_view, entries_of, entries_view
from services.declaration.documents import views
from services.declaration.documents.models import Document, Filing
from services.declaration.documents.repository import DocumentRepository
from services.declaration.matching.repository import MatchRepository
from services.declaration.matching.service import inventory_wait
from services.declaration.personal_data.vault import Sealed
from services.declaration.tax.service import assessment_of
from shared.identity import Identity
from shared.kit.pagination import PageRequest
from shared.problems import FORBIDDEN, NOT_FOUND, ProblemError
from shared.sqltypes import utcnow


async def visible_document(
    session: AsyncSession, identity: Identity, document_id: str
) -> tuple[Document, str]:
    """The document and the caller's visibility (filer or named), or 404."""
    document = await DocumentRepository.from_session(session).get(document_id)
    visibility = views.access(identity, document) if document is not None else None
    if document is None or visibility is None:
        raise ProblemError(NOT_FOUND, f"No document {document_id} visible to the caller.")
    return document, visibility


async def _of_kind(
    session: AsyncSession, identity: Identity, document_id: str, kind: tuple[str, str] | None
) -> tuple[Document, str]:
    document, visibility = await visible_document(session, identity, document_id)
    if kind is not None and (document.direction, document.kind) != kind:
        raise ProblemError(NOT_FOUND, f"Document {document_id} is not a {kind[1]}.")
    return document, visibility


async def document_json(
    session: AsyncSession,
    ctx: DeclarationContext,
    identity: Identity,
    document_id: str,
    kind: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """The JSON view of a document (of ``kind`` = (direction, kind) if given): record, match, tax, customs."""
    document, visibility = await _of_kind(session, identity, document_id, kind)
    match = await MatchRepository.from_session(session).of_inventory(document.id)
    tax = await assessment_of(session, document.id)
    filing = await DocumentRepository.from_session(session).filing(document.filing_id)
    view = views.document_view(ctx, document, visibility, match, tax, filing)
    view["customs"] = await customs_view(session, document.id)
    view["inventory"] = await inventory_wait(session, document, utcnow())
    return view


async def document_xml(
    session: AsyncSession,
    ctx: DeclarationContext,
    identity: Identity,
    document_id: str,
    kind: tuple[str, str] | None = None,
) -> bytes:
    """The document as CEB XML — for its filer only (it carries personal data)."""
    document, visibility = await _of_kind(session, identity, document_id, kind)
    if visibility != views.FILER:
        raise ProblemError(
            FORBIDDEN, "Only the filer may read a document as CEB XML (it carries personal data)."
        )
    filing = await DocumentRepository.from_session(session).filing(document.filing_id)
    assert filing is not None
    return views.regenerate_xml(ctx, document, filing)


async def history(session: AsyncSession, identity: Identity, document_id: str) -> dict[str, Any]:
    """Every status the document went through, oldest first, and every customs receipt it received."""
    await visible_document(session, identity, document_id)
    changes = await DocumentRepository.from_session(session).history(document_id)
    return {
        "documentId": document_id,
        "history": [
            {
                "from": change.from_status,
                "to": change.to_status,
                "customsStatus": change.customs_status,
                "reason": change.reason,
                "at": change.occurred_at.isoformat(),
            }
            for change in changes
        ],
        "receipts": entries_view(await entries_of(session, document_id)),
    }


async def documents_page(
    session: AsyncSession, identity: Identity, filters: Mapping[str, str | None], page: PageRequest
) -> dict[str, Any]:
    """A page of the documents the caller filed, newest first."""
    documents, next_cursor = await DocumentRepository.from_session(session).page_of_party(
        identity.party_id, filters, page
    )
    return {"items": [views.summary_view(doc) for doc in documents], "next_cursor": next_cursor}


async def own_filing(session: AsyncSession, identity: Identity, filing_id: str) -> Filing:
    """A filing of the caller, or 404."""
    filing = await DocumentRepository.from_session(session).filing(filing_id)
    if filing is None or filing.party_id != identity.party_id:
        raise ProblemError(NOT_FOUND, f"No filing {filing_id} of the caller.")
    return filing


def filing_json(ctx: DeclarationContext, filing: Filing) -> dict[str, Any]:
    """Metadata of a received message and the answer returned for it."""
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


def original_bytes(ctx: DeclarationContext, filing: Filing) -> bytes:
    """The message exactly as received."""
    return ctx.vault.open(Sealed(filing.raw_key_id, filing.raw_cipher), filing.id)


__all__ = [
    "document_json",
    "document_xml",
    "documents_page",
    "filing_json",
    "history",
    "original_bytes",
    "own_filing",
    "visible_document",
]
