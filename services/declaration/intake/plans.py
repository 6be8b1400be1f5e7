"""What is being filed, the per-record working state of a filing, and the keys a message touches.

A :class:`Submission` is one message being filed: the service's context, who files it,
its type, the message and the body as received, its single-message rule issues and the
moment it is filed. A :class:`RecordPlan` collects, for one record, its rule issues,
duplicate key, the document it amends or deletes, its valuation, tax, quota and match,
as the filing's steps fill them in; a record with no error at the end is accepted.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.ceb.issues import Issue
from services.declaration.ceb.keys import order_key, waybill_key
from services.declaration.ceb.model import CebMessage, Record
from services.declaration.ceb.receipts import build_answer
from services.declaration.context import DeclarationContext
from services.declaration.documents.facts import Valuation
from services.declaration.documents.kinds import DocumentType
from services.declaration.documents.repository import DocumentRow
from services.declaration.intake.filed import RawBody
from services.declaration.matching.service import MatchOutcome
from services.declaration.prechecks import duplicates
from services.declaration.quota.rules import BUYER_HASH_PURPOSE, lock_key, quota_year
from services.declaration.tax.rules import TaxAssessment
from shared.identity import Identity

__all__ = [
    "BUYER_HASH_PURPOSE",
    "RecordPlan",
    "Submission",
    "lock_keys_of",
    "order_ref",
    "plan_records",
    "waybill_ref",
]


@dataclass(frozen=True)
class Submission:
    """One message being filed, and everything the filing's steps need to know about it."""

    ctx: DeclarationContext
    identity: Identity
    doc_type: DocumentType
    message: CebMessage
    raw: RawBody
    rule_issues: Sequence[Issue]
    now: dt.datetime

    @property
    def year(self) -> int:
        """The quota year the filing counts in."""
        return quota_year(self.now)

    @property
    def local_date(self) -> dt.date:
        """The Beijing calendar date of the filing (rates are the month's)."""
        return self.now.astimezone(CUSTOMS_TZ).date()

    def at(self, now: dt.datetime) -> Submission:
        """The same submission filed again at ``now`` (after a lost race)."""
        return Submission(
            self.ctx, self.identity, self.doc_type, self.message, self.raw, self.rule_issues, now
        )


@dataclass
class RecordPlan:
    """Per-record working state while a message is filed."""

    index: int
    record: Record
    errors: list[Issue] = field(default_factory=list)
    review: list[Issue] = field(default_factory=list)
    key: str = ""
    app_type: str = "1"
    existing: DocumentRow | None = None
    document_id: str = ""
    valuation: Valuation | None = None
    mode: str | None = None
    buyer_hash: str | None = None
    assessment: TaxAssessment | None = None
    match: MatchOutcome | None = None

    @property
    def ok(self) -> bool:
        """True while no error rejects the record."""
        return not self.errors


def plan_records(submission: Submission) -> list[RecordPlan]:
    """A plan per record: its rule issues, key, action (appType) and, for inventories, the buyer's hash."""
    message, ctx, doc_type = submission.message, submission.ctx, submission.doc_type
    rule_issues = submission.rule_issues
    plans = [RecordPlan(index, record) for index, record in enumerate(message.records)]
    # build_answer's grouping: issues pointing into a record belong to it, others to all.
    answer = build_answer(message, rule_issues)
    for plan, verdict in zip(plans, answer.verdicts, strict=True):
        plan.errors.extend(verdict.errors)
        plan.review.extend(verdict.review)
        plan.key = duplicates.dedup_key(doc_type.message_type, plan.record)
        plan.app_type = str(plan.record.head.get("appType", "1")) or "1"
        if plan.app_type not in {"1", "2", "3"}:
            plan.app_type = "1"  # the rules already rejected it; keep the bookkeeping simple
        plan.document_id = str(uuid.uuid4())
        buyer_id = plan.record.head.get("buyerIdNumber")
        if doc_type.message_type == "CEB621" and isinstance(buyer_id, str) and buyer_id.strip():
            plan.buyer_hash = ctx.vault.lookup_hash(BUYER_HASH_PURPOSE, buyer_id)
    return plans


def order_ref(record: Record) -> str | None:
    """The order key a record names (``ebpCode|orderNo``), if it names one."""
    key = order_key(record)
    return "|".join(key.parts) if key else None


def waybill_ref(record: Record) -> str | None:
    """The waybill key a record names (``logisticsCode|logisticsNo``), if it names one."""
    key = waybill_key(record)
    return "|".join(key.parts) if key else None


def lock_keys_of(plans: Sequence[RecordPlan], year: int) -> set[str]:
    """Every key the filing checks or changes: duplicate keys, order and waybill keys, buyers' years."""
    keys: set[str] = set()
    for plan in plans:
        if not plan.ok:
            continue
        keys.add(f"dedup:{plan.key}")
        if ref := order_ref(plan.record):
            keys.add(f"order:{ref}")
        if ref := waybill_ref(plan.record):
            keys.add(f"waybill:{ref}")
        if plan.buyer_hash:
            keys.add(lock_key(plan.buyer_hash, year))
    return keys
