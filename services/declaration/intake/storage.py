"""What a filing writes: document rows (new and amended) and the filing itself.

Personal fields are sealed here, apart from the stored record, bound to the document
id; the original message and the answer are sealed bound to the filing id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.ceb.json_codec import message_to_json
from services.declaration.ceb.model import CebMessage
from services.declaration.context import DeclarationContext
from services.declaration.documents import lifecycle, repository
from services.declaration.documents.kinds import DocumentType
from services.declaration.documents.records import stored_form
from services.declaration.intake.answers import answer_json
from services.declaration.intake.filed import Filed, RawBody
from services.declaration.intake.plans import RecordPlan, order_ref, waybill_ref
from shared.context import current_request_id
from shared.identity import Identity


def document_row(
    plan: RecordPlan,
    doc_type: DocumentType,
    identity: Identity,
    filing_id: str,
    ctx: DeclarationContext,
    now: dt.datetime,
) -> dict[str, Any]:
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
    assert plan.existing is not None
    values = content_values(plan, doc_type, ctx)
    # Conditional on the status read earlier: the customs exchange may have taken the
    # document for customs meanwhile, and a sent document must never change.
    result = await session.execute(
        update(repository.DOCUMENTS)
        .where(
            repository.DOCUMENTS.c.id == plan.existing.id,
            repository.DOCUMENTS.c.status.in_(repository.AMENDABLE),
        )
        .values(
            **values,
            filing_id=filing_id,
            record_index=plan.index,
            app_type="2",
            record_guid=str(plan.record.head.get("guid", ""))[:64] or None,
            revision=repository.DOCUMENTS.c.revision + 1,
            updated_at=now,
        )
    )
    if cast(CursorResult[Any], result).rowcount != 1:
        raise LostRace(f"document {plan.existing.id} left the pre-check while it was being amended")


def amend_transition(plan: RecordPlan, doc_type: DocumentType, now: dt.datetime) -> lifecycle.Transition:
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


async def store_answered_filing(
    session: AsyncSession,
    ctx: DeclarationContext,
    identity: Identity,
    doc_type: DocumentType,
    message: CebMessage,
    raw: RawBody,
    filed: Filed,
) -> None:
    await store_filing(
        session,
        ctx,
        identity,
        raw,
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
    await repository.add_filing(
        session,
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
