"""Filing a declaration message: every check, storage, matching and events in one transaction.

The steps, for a message already parsed and schema-valid (:mod:`.parsing`):

1. single-message business rules (:func:`..prechecks.rules.check_message`), outside the transaction;
2. in one unit of work (:func:`file_in`) — who may file (403 for the whole message
   otherwise), advisory locks on every key the message touches, duplicates (one query),
   references, valuation in CNY, tax and the buyer's annual quota (import inventories),
   the three-document match (:mod:`.checks`); storage of each accepted record
   (:mod:`.storage`), the status changes it causes, status history and events in the
   outbox, and the filing (original bytes sealed) with its answer.

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
import dataclasses
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.ceb.model import CebMessage
from services.declaration.ceb.receipts import Answer, RecordVerdict
from services.declaration.context import DeclarationContext
from services.declaration.documents import goods, lifecycle
from services.declaration.documents.kinds import DocumentType
from services.declaration.documents.numbers import pre_no
from services.declaration.documents.repository import DELETED
from services.declaration.intake import checks
from services.declaration.intake.filed import Filed, RawBody, RecordResult
from services.declaration.intake.plans import RecordPlan, Submission, lock_keys_of, plan_records
from services.declaration.intake.storage import (
    LostRace,
    Stored,
    store_answered_filing,
    store_filing,
    store_records,
)
from services.declaration.prechecks.ownership import check_ownership
from services.declaration.prechecks.repository import KeyLocks
from services.declaration.prechecks.rules import check_message
from shared.identity import Identity
from shared.messaging.outbox import EventPublisher
from shared.service import Runtime
from shared.sqltypes import utcnow

log = logging.getLogger("ddt.declaration.intake")

_ATTEMPTS = 3
_RETRY_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock detected
_ACTIONS = {"1": "created", "2": "amended", "3": "deleted"}


async def file_message(
    runtime: Runtime,
    ctx: DeclarationContext,
    identity: Identity,
    doc_type: DocumentType,
    message: CebMessage,
    raw: RawBody,
    *,
    dry_run: bool = False,
) -> Filed:
    """File a schema-valid declaration message; retried on a lost race (unique key, deadlock).

    With ``dry_run`` every check runs exactly as for a real filing and nothing is kept
    (:func:`dry_run_in`); the answer is the one the real filing would get now.
    """
    now = utcnow()
    rule_issues = check_message(
        message, ctx.rules_for(message, now.astimezone(CUSTOMS_TZ).date()), ctx.limits
    )
    submission = Submission(ctx, identity, doc_type, message, raw, rule_issues, now)
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            if dry_run:
                return await dry_run_in(runtime, submission)
            async with runtime.db.transaction() as session:
                return await file_in(session, runtime.publisher, submission)
        except LostRace:
            # The customs exchange took a document this filing changes: run every check
            # again, which now refuses the change (DDT-206).
            if attempt == _ATTEMPTS:
                raise
            submission = submission.at(utcnow())
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
            submission = submission.at(utcnow())
    raise AssertionError("unreachable")


async def dry_run_in(runtime: Runtime, submission: Submission) -> Filed:
    """Run the real filing (:func:`file_in`) in a unit of work that is always rolled back.

    Why a rollback and not a flag that skips the writes: the filing's later checks read
    what its earlier steps wrote in the same transaction — the quota a first inventory of
    a buyer took is what the second one of the message is checked against, a retired
    waybill key lets a reuse through, an amendment's rewritten row is what matching sees.
    A flag would have to reproduce each of those reads and would drift from the real path;
    the rolled-back transaction *is* the real path. Everything a filing does goes through
    this session — documents, status history, tax, match, quota rows and usages, the
    outbox (events are staged in the session and relayed only after a commit, so the
    commit listeners never fire here) and the filing itself — so a rollback leaves no trace
    but the numbers of a database sequence (PostgreSQL does not give back the ``seq`` an
    INSERT drew, so the next real document's preNo may skip one; no number is shown for a
    dry run). Locks (advisory, row, SQLite's ``BEGIN IMMEDIATE``) are held as by a real
    filing and released by the rollback, so a dry run sees the quota real filings used,
    never a half-written one.
    """
    async with runtime.db.sessionmaker() as session:
        try:
            filed = await file_in(session, runtime.publisher, submission)
        finally:
            await session.rollback()
    return dataclasses.replace(filed, dry_run=True)


def _sqlstate(exc: DBAPIError) -> str | None:
    orig = exc.orig
    return getattr(orig, "sqlstate", None) or getattr(getattr(orig, "__cause__", None), "sqlstate", None)


async def file_in(session: AsyncSession, publisher: EventPublisher, submission: Submission) -> Filed:
    """File one message in the unit of work ``session``: check, store, move, publish, answer."""
    ctx = submission.ctx
    await check_ownership(session, submission.message, submission.identity, ctx.ownership)
    plans = plan_records(submission)
    await KeyLocks.from_session(session).lock(lock_keys_of(plans, submission.year))
    existing, partners = await checks.existing_and_partners(session, submission, plans)
    await checks.check_keys(session, submission, plans, existing)
    await checks.check_references(session, submission, plans)
    checks.value_records(submission, plans)
    await checks.tax_and_quota(session, submission, plans)
    await checks.match_inventories(session, submission, plans, partners)
    stored = await store_records(session, submission, plans)
    to_apply = await checks.partner_changes(session, submission, stored.accepted)
    # One history insert and one outbox insert for everything (amended and deleted rows
    # were rewritten by store_records, so theirs are history and events only).
    await lifecycle.publish(
        session,
        publisher,
        submission.now,
        accepted=stored.rows,
        accepted_reason=f"filed ({submission.doc_type.message_type}, filing {stored.filing_id})",
        written=stored.written,
        to_apply=to_apply,
    )
    await goods.publish(session, publisher, submission.doc_type.kind, stored.goods(), submission.now)
    filed = _filed(submission, plans, stored)
    await store_answered_filing(session, submission, filed)
    return filed


def _filed(submission: Submission, plans: Sequence[RecordPlan], stored: Stored) -> Filed:
    """The outcome: a verdict per record (customs' answer) and what happened to each accepted one."""
    message, now = submission.message, submission.now
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
    rows = {row["id"]: row for row in stored.rows}
    results = {
        plan.index: RecordResult(
            plan.document_id,
            _final_status(plan, rows),
            _ACTIONS[plan.app_type],
            pre_no(stored.seqs[plan.document_id], now) if plan.document_id in stored.seqs else None,
        )
        for plan in stored.accepted
    }
    return Filed(stored.filing_id, message, answer, results, now)


def _final_status(plan: RecordPlan, rows: dict[str, dict[str, Any]]) -> str:
    if plan.app_type == "3":
        return DELETED
    if plan.match is not None:
        return plan.match.status
    row = rows.get(plan.document_id)
    if row is not None:
        return str(row["status"])
    return plan.existing.status if plan.existing is not None else "accepted"


__all__ = [
    "Filed",
    "RawBody",
    "RecordResult",
    "dry_run_in",
    "file_in",
    "file_message",
    "pre_no",
    "store_filing",
]
