"""What a filing writes: document rows (new, amended, deleted), their tax and match, and the filing.

Personal fields are sealed here, apart from the stored record, bound to the document
id; the original message and the answer are sealed bound to the filing id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.ceb.json_codec import message_to_json
from services.declaration.ceb.model import CebMessage, Record
from services.declaration.context import DeclarationContext
from services.declaration.documents import lifecycle
from services.declaration.documents.kinds import DocumentType
from services.declaration.documents.records import stored_form
from services.declaration.documents.repository import DELETED, DocumentRepository
from services.declaration.intake.answers import answer_json
from services.declaration.intake.filed import Filed, RawBody
from services.declaration.intake.plans import RecordPlan, Submission, order_ref, waybill_ref
from services.declaration.matching import service as matching
from services.declaration.quota import service as quota
from services.declaration.tax import service as tax
from shared.context import current_request_id
from shared.identity import Identity

DELETED_REASON = "deleted by the filer (appType 3)"


@dataclass
class Stored:
    """What :func:`store_records` wrote: the filing's id, new rows and their sequence numbers,
    and the status changes of rewritten rows (their history and events are still to come)."""

    filing_id: str
    accepted: list[RecordPlan]
    rows: list[dict[str, Any]] = field(default_factory=list)
    seqs: dict[str, int] = field(default_factory=dict)
    written: list[lifecycle.Transition] = field(default_factory=list)
    created: list[RecordPlan] = field(default_factory=list)
    amended: list[tuple[RecordPlan, lifecycle.Transition]] = field(default_factory=list)

    def goods(self) -> list[tuple[Mapping[str, Any], Record, int]]:
        """(document columns, record, revision) of every new and amended document, for its goods event."""
        new = [(row, plan.record, 1) for row, plan in zip(self.rows, self.created, strict=True)]
        return new + [
            (change.columns, plan.record, plan.existing.revision + 1)
            for plan, change in self.amended
            if plan.existing is not None
        ]


async def store_records(session: AsyncSession, submission: Submission, plans: Sequence[RecordPlan]) -> Stored:
    """Write every accepted record: new documents, amendments, deletions, their tax and match."""
    doc_type, ctx, now = submission.doc_type, submission.ctx, submission.now
    accepted = [plan for plan in plans if plan.ok]
    created = [plan for plan in accepted if plan.app_type == "1"]
    amended = [plan for plan in accepted if plan.app_type == "2"]
    deleted = [plan for plan in accepted if plan.app_type == "3" and plan.existing is not None]
    stored = Stored(str(uuid.uuid4()), accepted)
    documents = DocumentRepository.from_session(session)
    stored.rows = [
        document_row(plan, doc_type, submission.identity, stored.filing_id, ctx, now) for plan in created
    ]
    stored.seqs = await documents.add_documents(stored.rows)
    for plan in amended:
        await amend_document(session, plan, doc_type, stored.filing_id, ctx, now)
    if deleted:
        await delete_documents(session, deleted, doc_type, now)
    await tax.keep(
        session,
        {plan.document_id: plan.assessment for plan in created if plan.assessment is not None},
        {plan.document_id: plan.assessment for plan in amended if plan.assessment is not None},
        now,
    )
    await matching.store_matches(
        session, [plan.match.row(plan.document_id, now) for plan in created if plan.match], replace=False
    )
    await matching.store_matches(
        session, [plan.match.row(plan.document_id, now) for plan in amended if plan.match]
    )
    stored.created = created
    stored.amended = [(plan, amend_transition(plan, doc_type, now)) for plan in amended]
    stored.written = [change for _plan, change in stored.amended]
    stored.written += [
        lifecycle.Transition(
            lifecycle.columns_of(plan.existing), plan.existing.status, DELETED, DELETED_REASON
        )
        for plan in deleted
        if plan.existing is not None
    ]
    return stored


async def delete_documents(
    session: AsyncSession, plans: Sequence[RecordPlan], doc_type: DocumentType, now: dt.datetime
) -> None:
    """appType 3: the documents leave the duplicate checks, become ``deleted``, give their quota back."""
    documents = DocumentRepository.from_session(session)
    ids = [plan.existing.id for plan in plans if plan.existing]
    await documents.retire_keys(ids)
    # Written now, before matching runs again, so the match no longer sees them; conditional,
    # as the customs exchange may have taken one for customs meanwhile.
    if await documents.mark_deleted(ids, now) != len(ids):
        raise LostRace("a document left the pre-check while it was being deleted")
    if doc_type.message_type == "CEB621":
        await quota.release(session, ids, DELETED_REASON, now)


def document_row(
    plan: RecordPlan,
    doc_type: DocumentType,
    identity: Identity,
    filing_id: str,
    ctx: DeclarationContext,
    now: dt.datetime,
) -> dict[str, Any]:
    """The row of a new document."""
    values = content_values(plan, doc_type, ctx)
    head = plan.record.head
    return {
        **values,
        "id": plan.document_id,
        "filing_id": filing_id,
        "record_index": plan.index,
        "message_type": doc_type.message_type,
        "kind": doc_type.kind,
        "direction": doc_type.direction,
        "party_id": identity.party_id,
        "record_guid": str(head.get("guid", ""))[:64] or None,
        "app_type": plan.app_type,
        "dedup_key": plan.key,
        "revision": 1,
        "district": identity.district,
        "park": identity.park,
        "accepted_at": now,
        "updated_at": now,
    }


def content_values(plan: RecordPlan, doc_type: DocumentType, ctx: DeclarationContext) -> dict[str, Any]:
    """Columns that follow from the record's content (shared by new and amended documents)."""
    head = plan.record.head
    body, personal = stored_form(plan.record)
    sealed = ctx.vault.seal_json(personal, plan.document_id) if personal else None
    valuation = plan.valuation
    assert valuation is not None
    status = plan.match.status if plan.match is not None else "accepted"
    raw_time = head.get("appTime")
    return {
        "mode": plan.mode,
        "business_no": str(head.get(doc_type.business_no_field, ""))[:100],
        "app_time": parse_app_time(raw_time) if isinstance(raw_time, str) else None,
        "order_ref": order_ref(plan.record),
        "waybill_ref": waybill_ref(plan.record),
        "ebp_code": code_value(head.get("ebpCode")),
        "ebc_code": code_value(head.get("ebcCode")),
        "status": status,
        "needs_review": bool(plan.review) or bool(plan.match and plan.match.needs_review),
        "body": body,
        "pii_key_id": sealed.key_id if sealed else None,
        "pii_cipher": sealed.blob if sealed else None,
        "buyer_hash": plan.buyer_hash,
        "currency": valuation.currency,
        "value": valuation.value,
        "value_cny": valuation.value_cny,
        "cny_rate": valuation.cny_rate,
        "country": valuation.country,
        "chapters": valuation.chapters_json(),
    }


def parse_app_time(value: str) -> dt.datetime | None:
    """``YYYYMMDDhhmmss`` in Beijing time → an aware datetime (a quicker equivalent of
    :func:`ceb.customs_time.parse_customs_time` for this one format, on the hot path)."""
    if len(value) != 14 or not value.isdigit():
        return None
    try:
        return dt.datetime(
            int(value[:4]),
            int(value[4:6]),
            int(value[6:8]),
            int(value[8:10]),
            int(value[10:12]),
            int(value[12:14]),
            tzinfo=CUSTOMS_TZ,
        )
    except ValueError:
        return None


def code_value(value: object) -> str | None:
    """An enterprise code as stored (None when blank)."""
    return value[:50] if isinstance(value, str) and value else None


class LostRace(RuntimeError):
    """A document changed under the filing (the customs exchange took it): file again."""


async def amend_document(
    session: AsyncSession,
    plan: RecordPlan,
    doc_type: DocumentType,
    filing_id: str,
    ctx: DeclarationContext,
    now: dt.datetime,
) -> None:
    """Rewrite an amended document (appType 2) with its new content."""
    assert plan.existing is not None
    values = {
        **content_values(plan, doc_type, ctx),
        "filing_id": filing_id,
        "record_index": plan.index,
        "app_type": "2",
        "record_guid": str(plan.record.head.get("guid", ""))[:64] or None,
    }
    # Conditional on the status read earlier: the customs exchange may have taken the
    # document for customs meanwhile, and a sent document must never change.
    if not await DocumentRepository.from_session(session).amend(plan.existing.id, values, now):
        raise LostRace(f"document {plan.existing.id} left the pre-check while it was being amended")


def amend_transition(plan: RecordPlan, doc_type: DocumentType, now: dt.datetime) -> lifecycle.Transition:
    """The status change (and new facts) of an amended document, for its history and event."""
    assert plan.existing is not None and plan.valuation is not None
    columns = {
        **lifecycle.columns_of(plan.existing),
        "mode": plan.mode or plan.existing.mode,
        "currency": plan.valuation.currency,
        "value": plan.valuation.value,
        "value_cny": plan.valuation.value_cny,
        "cny_rate": plan.valuation.cny_rate,
        "country": plan.valuation.country,
        "chapters": plan.valuation.chapters_json(),
    }
    status = plan.match.status if plan.match is not None else plan.existing.status
    return lifecycle.Transition(columns, plan.existing.status, status, "amended by the filer (appType 2)")


async def store_answered_filing(session: AsyncSession, submission: Submission, filed: Filed) -> None:
    """Keep the filing with the answer it got."""
    doc_type, message = submission.doc_type, submission.message
    await store_filing(
        session,
        submission.ctx,
        submission.identity,
        submission.raw,
        filed.filing_id,
        filed.received_at,
        message_type=doc_type.message_type,
        direction=doc_type.direction,
        guid=message.guid,
        envelope=envelope_of(message),
        record_count=len(message.records),
        accepted_count=filed.accepted_count,
        outcome=filed.outcome,
        answer=answer_json(filed),
    )


def envelope_of(message: CebMessage) -> dict[str, Any]:
    """The message's transport blocks (no personal data) — what regeneration needs besides records."""
    data = message_to_json(
        CebMessage(
            message.message_type,
            message.guid,
            message.version,
            [],
            message.base_transfer,
            message.base_subscribe,
            message.extend_message,
            message.signature,
        )
    )
    data.pop("records", None)
    return data


async def store_filing(
    session: AsyncSession,
    ctx: DeclarationContext,
    identity: Identity,
    raw: RawBody,
    filing_id: str,
    received_at: dt.datetime,
    *,
    message_type: str | None,
    direction: str | None,
    guid: str | None,
    envelope: dict[str, Any] | None,
    record_count: int,
    accepted_count: int,
    outcome: str,
    answer: dict[str, Any],
) -> None:
    """Keep a filing: the original bytes and our answer, both sealed (they may carry personal data)."""
    sealed_raw = ctx.vault.seal(raw.data, filing_id)
    sealed_answer = ctx.vault.seal_json(answer, f"{filing_id}:answer")
    await DocumentRepository.from_session(session).add_filing(
        {
            "id": filing_id,
            "party_id": identity.party_id,
            "message_type": message_type,
            "direction": direction,
            "guid": (guid or "")[:64] or None,
            "content_format": raw.content_format,
            "content_type": raw.content_type[:100],
            "raw_key_id": sealed_raw.key_id,
            "raw_cipher": sealed_raw.blob,
            "raw_sha256": hashlib.sha256(raw.data).hexdigest(),
            "raw_size": len(raw.data),
            "envelope": envelope,
            "record_count": record_count,
            "accepted_count": accepted_count,
            "outcome": outcome,
            "answer_key_id": sealed_answer.key_id,
            "answer_cipher": sealed_answer.blob,
            "received_at": received_at,
            "request_id": current_request_id(),
        },
    )
