"""Filing a declaration message: every check, storage, matching and events in one transaction.

The steps, for a message already parsed and schema-valid (:mod:`.parsing`):

1. single-message business rules (:func:`ceb.rules.check_message`), outside the transaction;
2. in one transaction — who may file (403 for the whole message otherwise), advisory
   locks on every key the message touches, duplicates (one query), valuation in CNY,
   tax and the buyer's annual quota (import inventories), the three-document match,
   storage of the filing (original bytes sealed) and of each accepted record, status
   history and events in the outbox.

**Batch policy** — like customs, which answers each record of a message with its own
receipt record: the good records of a message are accepted and each bad record is
rejected with its index and reasons; nothing is dropped silently (every record has a
verdict in the answer, and the whole filing is kept). A message is refused as a whole
only when no record can be judged alone: it is not well-formed or not schema-valid
(CEB900), it is not a declaration, or it names enterprise codes that are not the
caller's (403); message-level rule failures (e.g. a lower-case root guid) reject every
record.

Amendments (appType 2) and deletions (appType 3) apply to a document the caller filed
that has not gone to customs; an inventory's amendment re-takes the buyer's quota for
its new value and cannot change the buyer.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.ceb.issues import Issue
from services.declaration.ceb.masking import mask_id_number
from services.declaration.ceb.model import CebMessage, head_pointer
from services.declaration.ceb.receipts import Answer, RecordVerdict
from services.declaration.ceb.rules import check_message
from services.declaration.ceb.tax import Treatment, check_annual_quota
from services.declaration.context import DeclarationContext
from services.declaration.customs import references
from services.declaration.documents import goods, lifecycle, repository
from services.declaration.documents.facts import mode_of, value_document
from services.declaration.documents.kinds import REUSABLE_AFTER_WINDOW, DocumentType
from services.declaration.documents.numbers import pre_no
from services.declaration.intake.filed import Filed, RawBody, RecordResult
from services.declaration.intake.plans import RecordPlan, lock_keys_of, order_ref, plan_records, waybill_ref
from services.declaration.intake.storage import (
    LostRace,
    amend_document,
    amend_transition,
    document_row,
    store_answered_filing,
    store_filing,
)
from services.declaration.matching import service as matching
from services.declaration.prechecks import duplicates
from services.declaration.prechecks.locks import lock_keys
from services.declaration.prechecks.ownership import check_ownership
from services.declaration.quota import service as quota
from services.declaration.tax import service as tax
from shared.identity import Identity
from shared.messaging.outbox import EventPublisher
from shared.service import Runtime
from shared.sqltypes import utcnow

log = logging.getLogger("ddt.declaration.intake")

NOT_FOUND_FOR_CHANGE = "DDT-204"  # appType 2/3 for a document the platform does not hold
NOT_YOURS_FOR_CHANGE = "DDT-205"  # appType 2/3 for a document another party filed
NOT_CHANGEABLE = "DDT-206"  # appType 2/3 once the document left the pre-check
BUYER_CHANGE = "DDT-207"  # an inventory amendment may not change the buyer or the quota year
_ATTEMPTS = 3
_RETRY_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock detected


async def file_message(
    runtime: Runtime,
    ctx: DeclarationContext,
    identity: Identity,
    doc_type: DocumentType,
    message: CebMessage,
    raw: RawBody,
) -> Filed:
    """File a schema-valid declaration message; retried on a lost race (unique key, deadlock)."""
    now = utcnow()
    rule_issues = check_message(
        message, ctx.rules_for(message, now.astimezone(CUSTOMS_TZ).date()), ctx.limits
    )
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            async with runtime.db.transaction() as session:
                return await _file(
                    session, runtime.publisher, ctx, identity, doc_type, message, raw, rule_issues, now
                )
        except LostRace:
            # The customs exchange took a document this filing changes: run every check
            # again, which now refuses the change (DDT-206).
            if attempt == _ATTEMPTS:
                raise
            now = utcnow()
            continue
        except (IntegrityError, DBAPIError) as exc:
            # A lost race (unique key, deadlock, serialization) or a pooled connection the
            # database dropped (no pre-ping, see settings): nothing was committed, run again.
            retryable = (
                isinstance(exc, IntegrityError)
                or _sqlstate(exc) in _RETRY_SQLSTATES
                or bool(exc.connection_invalidated)
            )
            if not retryable or attempt == _ATTEMPTS:
                raise
            # Another filing of the same key committed first: run every check again.
            log.info("filing lost a race; retrying", extra={"attempt": attempt, "error": type(exc).__name__})
            await asyncio.sleep(0.01 * attempt)
            now = utcnow()
    raise AssertionError("unreachable")


def _sqlstate(exc: DBAPIError) -> str | None:
    orig = exc.orig
    return getattr(orig, "sqlstate", None) or getattr(getattr(orig, "__cause__", None), "sqlstate", None)


async def _file(
    session: AsyncSession,
    publisher: EventPublisher,
    ctx: DeclarationContext,
    identity: Identity,
    doc_type: DocumentType,
    message: CebMessage,
    raw: RawBody,
    rule_issues: Sequence[Issue],
    now: dt.datetime,
) -> Filed:
    await check_ownership(session, message, identity, ctx.ownership)
    plans = plan_records(message, rule_issues, ctx, doc_type)
    year = quota.quota_year(now)
    await lock_keys(session, lock_keys_of(plans, year))
    keys = [plan.key for plan in plans if plan.ok]
    partners: list[Any] | None = None
    if doc_type.kind == "inventory":
        # An inventory needs its duplicates and its partners: one query for both.
        orders = {ref for plan in plans if plan.ok and (ref := order_ref(plan.record))}
        waybills = {ref for plan in plans if plan.ok and (ref := waybill_ref(plan.record))}
        rows = await repository.keys_and_partners(session, keys, doc_type.direction, orders, waybills)
        existing = duplicates.existing_in(rows, keys)
        partners = [
            row for row in rows if repository.is_partner_of(row, doc_type.direction, orders, waybills)
        ]
    else:
        existing = await duplicates.existing_by_key(session, keys)
    await _check_keys(session, ctx, identity, doc_type, plans, now, existing)
    if doc_type.message_type in references.REFERRING:
        await _check_references(session, ctx, doc_type, plans, now)
    local_date = now.astimezone(CUSTOMS_TZ).date()
    for plan in plans:
        if plan.ok and plan.app_type != "3":
            valued = value_document(doc_type, plan.index, plan.record, ctx.rates, local_date)
            if isinstance(valued, Issue):
                plan.errors.append(valued)
            else:
                plan.valuation = valued
                plan.mode = mode_of(doc_type, plan.record)
    if doc_type.message_type == "CEB621":
        await _tax_and_quota(session, ctx, plans, year, now)
    if doc_type.kind == "inventory":
        await _match_inventories(session, ctx, doc_type, plans, partners)

    accepted = [plan for plan in plans if plan.ok]
    created = [plan for plan in accepted if plan.app_type == "1"]
    amended = [plan for plan in accepted if plan.app_type == "2"]
    deleted = [plan for plan in accepted if plan.app_type == "3"]
    filing_id = str(uuid.uuid4())

    rows = [document_row(plan, doc_type, identity, filing_id, ctx, now) for plan in created]
    seqs = await repository.add_documents(session, rows)
    for plan in amended:
        await amend_document(session, plan, doc_type, filing_id, ctx, now)
    if deleted:
        deleted_ids = [plan.existing.id for plan in deleted if plan.existing]
        await duplicates.retire_keys(session, deleted_ids)
        # Written now, before matching runs again below, so the match no longer sees them;
        # conditional, as the customs exchange may have taken one for customs meanwhile.
        result = await session.execute(
            update(repository.DOCUMENTS)
            .where(
                repository.DOCUMENTS.c.id.in_(deleted_ids),
                repository.DOCUMENTS.c.status.in_(repository.AMENDABLE),
            )
            .values(status=repository.DELETED, updated_at=now)
        )
        if cast(CursorResult[Any], result).rowcount != len(deleted_ids):
            raise LostRace("a document left the pre-check while it was being deleted")
        if doc_type.message_type == "CEB621":
            await quota.release(
                session,
                (plan.existing.id for plan in deleted if plan.existing),
                "deleted by the filer (appType 3)",
                now,
            )
    await tax.store(
        session,
        [
            tax.row_for(plan.document_id, plan.assessment, now)
            for plan in created
            if plan.assessment is not None
        ],
    )
    for plan in amended:
        if plan.assessment is not None:
            await tax.replace(session, plan.document_id, tax.row_for(plan.document_id, plan.assessment, now))
    await matching.store_matches(
        session, [plan.match.row(plan.document_id, now) for plan in created if plan.match], replace=False
    )
    await matching.store_matches(
        session, [plan.match.row(plan.document_id, now) for plan in amended if plan.match]
    )

    # Status changes this filing causes: deletions, then the three-document match —
    # partners of matched inventories, or inventories waiting for these partners.
    written = [amend_transition(plan, doc_type, now) for plan in amended]
    written += [
        lifecycle.Transition(
            lifecycle.columns_of(plan.existing),
            plan.existing.status,
            repository.DELETED,
            "deleted by the filer (appType 3)",
        )
        for plan in deleted
        if plan.existing is not None
    ]
    to_apply: list[lifecycle.Transition] = []
    if doc_type.kind == "inventory":
        matched = [(plan.match, plan.mode) for plan in accepted if plan.match]
        to_apply += matching.partner_promotions(matched)
        await matching.learn_partner_modes(session, matched, now)
    elif doc_type.kind in {"order", "payment", "waybill"}:
        to_apply += await matching.rematch_referencing(
            session,
            ctx,
            doc_type.direction,
            (ref for plan in accepted if (ref := order_ref(plan.record))),
            (ref for plan in accepted if doc_type.kind == "waybill" and (ref := waybill_ref(plan.record))),
            now,
        )
    # One history insert and one outbox insert for everything (amended and deleted rows
    # were rewritten above, so theirs are history and events only).
    await lifecycle.publish(
        session,
        publisher,
        now,
        accepted=rows,
        accepted_reason=f"filed ({doc_type.message_type}, filing {filing_id})",
        written=written,
        to_apply=to_apply,
    )
    await goods.publish(
        session,
        publisher,
        doc_type.kind,
        [(row, plan.record, 1) for row, plan in zip(rows, created, strict=True)]
        + [
            (amend_transition(plan, doc_type, now).columns, plan.record, plan.existing.revision + 1)
            for plan in amended
            if plan.existing is not None
        ],
        now,
    )

    spec = message.spec
    answer = Answer(
        message.message_type,
        spec.answered_by or "",
        message.guid,
        tuple(
            RecordVerdict(
                plan.index,
                plan.ok,
                {name: str(plan.record.head.get(name, "")) for name in spec.key_fields},
                tuple(plan.errors),
                tuple(plan.review),
            )
            for plan in plans
        ),
    )
    results = {
        plan.index: RecordResult(
            plan.document_id,
            _final_status(plan, {row["id"]: row for row in rows}),
            {"1": "created", "2": "amended", "3": "deleted"}[plan.app_type],
            pre_no(seqs[plan.document_id], now) if plan.document_id in seqs else None,
        )
        for plan in accepted
    }
    filed = Filed(filing_id, message, answer, results, now)
    await store_answered_filing(session, ctx, identity, doc_type, message, raw, filed)
    return filed


async def _check_keys(
    session: AsyncSession,
    ctx: DeclarationContext,
    identity: Identity,
    doc_type: DocumentType,
    plans: Sequence[RecordPlan],
    now: dt.datetime,
    existing: dict[str, duplicates.Existing],
) -> None:
    """Duplicates for new records; the target document for amendments and deletions."""
    targets = await repository.by_ids(
        session,
        (
            existing[plan.key].id
            for plan in plans
            if plan.ok and plan.app_type != "1" and plan.key in existing
        ),
    )
    field_name = doc_type.business_no_field
    seen: set[str] = set()
    reused: list[str] = []
    for plan in plans:
        if not plan.ok:
            continue
        if plan.key in seen:
            plan.errors.append(
                duplicates.duplicate_issue(doc_type.message_type, plan.index, plan.record, field_name, True)
            )
            continue
        found = existing.get(plan.key)
        if plan.app_type == "1":
            if found is not None:
                window = ctx.settings.waybill_number_reuse_months
                if doc_type.message_type in REUSABLE_AFTER_WINDOW and duplicates.reusable(found, now, window):
                    reused.append(found.id)
                else:
                    plan.errors.append(
                        duplicates.duplicate_issue(
                            doc_type.message_type, plan.index, plan.record, field_name, False
                        )
                    )
        else:
            target = targets.get(found.id) if found else None
            pointer = head_pointer(plan.index, "appType")
            if target is None:
                plan.errors.append(
                    Issue(NOT_FOUND_FOR_CHANGE, "no document with this key to change or delete", pointer)
                )
            elif target.party_id != identity.party_id:
                plan.errors.append(
                    Issue(NOT_YOURS_FOR_CHANGE, "the document was filed by another party", pointer)
                )
            elif target.status not in repository.AMENDABLE:
                plan.errors.append(
                    Issue(
                        NOT_CHANGEABLE,
                        f"the document is {target.status}; it can no longer be changed here",
                        pointer,
                    )
                )
            else:
                plan.existing = target
                plan.document_id = target.id
        if plan.ok:
            seen.add(plan.key)
    await duplicates.retire_keys(session, reused)


async def _check_references(
    session: AsyncSession,
    ctx: DeclarationContext,
    doc_type: DocumentType,
    plans: Sequence[RecordPlan],
    now: dt.datetime,
) -> None:
    """Cancellations, returns and summaries against the inventories they name (customs' own rules)."""
    live = [plan for plan in plans if plan.ok and plan.app_type != "3"]
    numbers = [n for plan in live for n in references.invt_nos_of(doc_type.message_type, plan.record)]
    known = await references.known_inventories(session, numbers)
    if not known:
        return
    ids = [k.customs.document_id for k in known.values()]
    returned = await references.returned_quantities(session, ids)
    elsewhere = (
        await references.summarised_elsewhere(session, ids) if doc_type.message_type == "CEB701" else {}
    )
    for plan in live:
        found = references.invt_nos_of(doc_type.message_type, plan.record)
        target = known.get(found[0]) if found else None
        before = returned.setdefault(target.customs.document_id, defaultdict(Decimal)) if target else None
        plan.errors.extend(
            references.check_reference(
                doc_type.message_type,
                plan.index,
                plan.record,
                known,
                now,
                ctx.settings.customs_return_window_days,
                returned_before=before,
                summarised_elsewhere=elsewhere,
            )
        )
        if before is not None and plan.ok:
            # Two returns of one inventory in one message count together.
            references.add_returned(before, plan.record.lines)


async def _tax_and_quota(
    session: AsyncSession, ctx: DeclarationContext, plans: Sequence[RecordPlan], year: int, now: dt.datetime
) -> None:
    """Assess tax and reserve the buyer's annual quota for import inventories."""
    amended_ids = [plan.existing.id for plan in plans if plan.ok and plan.app_type == "2" and plan.existing]
    held = await quota.held_by(session, amended_ids)
    claims: list[quota.QuotaClaim] = []
    for plan in plans:
        if not plan.ok or plan.app_type == "3":
            continue
        assessment = tax.assess(plan.record, ctx.tax_table, ctx.limits, plan.index)
        if assessment.treatment is Treatment.REJECTED:
            plan.errors.extend(issue for issue in assessment.issues if issue not in plan.errors)
            continue
        plan.assessment = assessment
        if plan.buyer_hash is None:
            continue  # buyerIdNumber is required by the XSD; the rules reported a blank one
        held_units = 0
        if plan.existing is not None and plan.existing.id in held:
            held_buyer, held_year, held_units = held[plan.existing.id]
            if held_buyer != plan.buyer_hash or held_year != year:
                plan.errors.append(
                    Issue(
                        BUYER_CHANGE,
                        "an amendment cannot change the buyer or move into another quota year; "
                        "delete the inventory and file a new one",
                        head_pointer(plan.index, "buyerIdNumber"),
                    )
                )
                continue
        claims.append(
            quota.QuotaClaim(
                plan.index, plan.document_id, plan.buyer_hash, year, assessment.dutiable_value, held_units
            )
        )
    refused = await quota.reserve(session, claims, ctx.limits.annual, now)
    for plan in plans:
        position = refused.get(plan.index)
        if position is not None:
            buyer = mask_id_number(str(plan.record.head.get("buyerIdNumber", "")))
            issue = check_annual_quota(position, buyer, plan.index)
            if issue is not None:
                plan.errors.append(issue)


async def _match_inventories(
    session: AsyncSession,
    ctx: DeclarationContext,
    doc_type: DocumentType,
    plans: Sequence[RecordPlan],
    partners: list[Any] | None,
) -> None:
    to_match = [
        matching.InventoryToMatch(
            plan.document_id,
            doc_type.direction,
            order_ref(plan.record),
            waybill_ref(plan.record),
            plan.record,
        )
        for plan in plans
        if plan.ok and plan.app_type != "3"
    ]
    outcomes = await matching.match_inventories(session, ctx, doc_type.direction, to_match, partners)
    for plan in plans:
        plan.match = outcomes.get(plan.document_id) if plan.ok else None


def _final_status(plan: RecordPlan, rows: dict[str, dict[str, Any]]) -> str:
    if plan.app_type == "3":
        return repository.DELETED
    if plan.match is not None:
        return plan.match.status
    row = rows.get(plan.document_id)
    if row is not None:
        return str(row["status"])
    return plan.existing.status if plan.existing is not None else "accepted"


__all__ = ["Filed", "RawBody", "RecordResult", "file_message", "pre_no", "store_filing"]
