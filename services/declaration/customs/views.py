"""JSON views of the customs side of documents: state, receipts, outbound messages, tax bills."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.declaration.customs.models import (
    CustomsDocument,
    CustomsOutboundMessage,
    CustomsReceiptEntry,
    CustomsSummaryLine,
    CustomsTaxBill,
)
from services.declaration.exchange.lifecycle import KINDS, DocumentKind


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def state_name(kind: str, code: str) -> str:
    """The platform name of a lifecycle code."""
    statuses = KINDS[DocumentKind(kind)].statuses
    return statuses[code].name if code in statuses else code


async def customs_view(session: AsyncSession, document_id: str) -> dict[str, Any] | None:
    """The customs side of a document (None before it went to customs)."""
    customs = await session.scalar(select(CustomsDocument).where(CustomsDocument.document_id == document_id))
    if customs is None:
        return None
    outbound = await session.scalar(
        select(CustomsOutboundMessage).where(CustomsOutboundMessage.id == customs.outbound_id)
    )
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
    bills = (
        await session.scalars(select(CustomsTaxBill).where(CustomsTaxBill.document_id == document_id))
    ).all()
    if bills:
        view["taxBills"] = [tax_bill_view(bill) for bill in bills]
    lines = (
        await session.scalars(
            select(CustomsSummaryLine).where(CustomsSummaryLine.inventory_id == document_id)
        )
    ).all()
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
    return list(
        (
            await session.scalars(
                select(CustomsReceiptEntry)
                .where(CustomsReceiptEntry.document_id == document_id)
                .order_by(CustomsReceiptEntry.id)
            )
        ).all()
    )
