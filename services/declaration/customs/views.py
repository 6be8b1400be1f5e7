"""The pull API's reads: the change feed, the customs side of documents (state, receipts, outbound
messages, tax bills) as JSON, and receipts and outbound messages as the bytes that travelled."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.declaration.customs.core.envelope import unwrap
from services.declaration.customs.core.lifecycle import KINDS, DocumentKind
from services.declaration.customs.models import CustomsOutboundMessage, CustomsReceiptEntry, CustomsTaxBill
from services.declaration.customs.repository import (
    CustomsStateRepository,
    OutboxRepository,
    ReceiptRepository,
)
from services.declaration.documents.repository import OLDEST_CHANGE_FIRST, DocumentRepository
from services.declaration.personal_data.vault import Sealed, Vault
from shared.identity import Identity
from shared.kit.pagination import PageRequest
from shared.problems import NOT_FOUND, ProblemError


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def state_name(kind: str, code: str) -> str:
    """The platform name of a lifecycle code."""
    statuses = KINDS[DocumentKind(kind)].statuses
    return statuses[code].name if code in statuses else code


async def customs_view(session: AsyncSession, document_id: str) -> dict[str, Any] | None:
    """The customs side of a document (None before it went to customs)."""
    repository = CustomsStateRepository.from_session(session)
    customs = await repository.of_document(document_id)
    if customs is None:
        return None
    outbound = await OutboxRepository.from_session(session).by_id(customs.outbound_id)
    view: dict[str, Any] = {
        "state": state_name(customs.kind, customs.state_code),
        "stateCode": customs.state_code,
        "since": _iso(customs.state_since),
        "attempt": customs.attempt,
        "legal": customs.legal,
        "preNo": customs.pre_no,
        "invtNo": customs.invt_no,
        "sumNo": customs.sum_no,
        "entryId": customs.entry_id,
        "summaryId": customs.summary_id,
        "targetId": customs.target_id,
        "releasedAt": _iso(customs.released_at),
        "closedAt": _iso(customs.closed_at),
        "sentAt": _iso(customs.sent_at),
        "outbound": outbound_view(outbound) if outbound is not None else None,
    }
    bills = await repository.tax_bills_of(document_id)
    if bills:
        view["taxBills"] = [tax_bill_view(bill) for bill in bills]
    lines = await repository.summary_lines_of([document_id])
    if lines:
        view["summaryResult"] = [
            {"sumNo": line.sum_no, "entryId": line.entry_id, "gnum": line.gnum, "gseqno": line.gseqno}
            for line in lines
        ]
    return view


def outbound_view(row: CustomsOutboundMessage) -> dict[str, Any]:
    """Metadata of a message sent to customs (the bytes are a separate resource)."""
    return {
        "messageId": row.message_id,
        "messageType": row.message_type,
        "documents": len(row.document_ids),
        "envelope": row.envelope,
        "signedBy": row.signed_by,
        "signatureMethod": row.signature_method,
        "sha256": row.payload_sha256,
        "businessSha256": row.business_sha256,
        "size": row.payload_size,
        "status": row.status,
        "createdAt": _iso(row.created_at),
        "sentAt": _iso(row.sent_at),
    }


def tax_bill_view(bill: CustomsTaxBill) -> dict[str, Any]:
    """A CEB816 tax bill as received, with its CEB818 status."""
    return {
        "taxNo": bill.tax_no,
        "invtNo": bill.invt_no,
        "status": bill.state_code,
        "statusName": state_name("tax_bill", bill.state_code),
        "since": _iso(bill.state_since),
        "customsTax": format(bill.customs_tax, "f") if bill.customs_tax is not None else None,
        "valueAddedTax": format(bill.value_added_tax, "f") if bill.value_added_tax is not None else None,
        "consumptionTax": format(bill.consumption_tax, "f") if bill.consumption_tax is not None else None,
        "lines": bill.lines,
        "receiptId": bill.receipt_id,
    }


def entries_view(entries: Sequence[CustomsReceiptEntry]) -> list[dict[str, Any]]:
    """Every receipt record a document received and what it did."""
    return [
        {
            "receiptId": entry.receipt_id,
            "track": entry.track,
            "messageType": entry.message_type,
            "returnStatus": entry.return_status,
            "returnTime": _iso(entry.return_time),
            "returnInfo": entry.return_info,
            "outcome": entry.outcome,
            "stateAfter": entry.state_after,
            "legal": entry.legal,
            "recordedAt": _iso(entry.recorded_at),
        }
        for entry in entries
    ]


async def entries_of(session: AsyncSession, document_id: str) -> list[CustomsReceiptEntry]:
    """The receipt entries of a document, in arrival order."""
    return await CustomsStateRepository.from_session(session).entries_of(document_id)


async def changes_page(session: AsyncSession, identity: Identity, page: PageRequest) -> dict[str, Any]:
    """A page of the caller's status changes, oldest first.

    A feed: ``next_cursor`` is the position after the last change returned — or the
    cursor asked with, when nothing newer exists yet — so a client polls with it.
    """
    rows, _more = await DocumentRepository.from_session(session).changes_page(identity.party_id, page)
    items = [
        {
            "cursor": OLDEST_CHANGE_FIRST.encode((change.id,)),
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
    ]
    return {"items": items, "next_cursor": items[-1]["cursor"] if items else page.cursor}


async def receipt_bytes(
    session: AsyncSession, vault: Vault, identity: Identity, receipt_id: int, envelope: bool
) -> tuple[bytes, str]:
    """A receipt as customs sent it (or its DXP envelope) and its hash — for the filers of its documents."""
    receipts = ReceiptRepository.from_session(session)
    row = await receipts.get(receipt_id)
    if row is None or not await receipts.concerns_party(receipt_id, identity.party_id):
        raise ProblemError(NOT_FOUND, f"No receipt {receipt_id} concerning the caller's documents.")
    payload = vault.open(Sealed(row.payload_key_id, row.payload_cipher), f"receipt:{row.sha256}")
    body = payload if envelope or row.envelope == "bare" else unwrap(payload).business_xml
    return body, row.sha256


async def outbound_bytes(
    session: AsyncSession, vault: Vault, identity: Identity, message_id: str, envelope: bool
) -> tuple[bytes, str]:
    """A message exactly as sent to customs (or the signed CEB XML inside) and its hash — for its filer."""
    row = await OutboxRepository.from_session(session).by_message_id(message_id)
    if row is None or row.party_id != identity.party_id:
        raise ProblemError(NOT_FOUND, f"No outbound message {message_id} of the caller.")
    payload = vault.open(Sealed(row.payload_key_id, row.payload_cipher), row.message_id)
    body = payload if envelope else unwrap(payload).business_xml
    return body, row.payload_sha256
