"""The pre-checks of one filing, each over the filing's record plans, in the order it runs them.

Each step asks the module whose rule it is — :mod:`..prechecks.duplicates` (duplicates and
the document an amendment or deletion names), :mod:`..customs.references` (cancellations,
returns and summaries against the inventories they name), :mod:`..documents.facts`
(valuation in CNY), :mod:`..tax` and :mod:`..quota` (import inventories), :mod:`..matching`
(the three-document match) — and writes its verdict into the plans: an error rejects the
record, the other steps then skip it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.declaration.ceb.issues import Issue
from services.declaration.ceb.model import head_pointer
from services.declaration.customs import references
from services.declaration.documents import lifecycle
from services.declaration.documents.facts import mode_of, value_document
from services.declaration.documents.kinds import REUSABLE_AFTER_WINDOW
from services.declaration.documents.repository import (
    AMENDABLE,
    DocumentRepository,
    DocumentRow,
    is_partner_of,
)
from services.declaration.intake.plans import RecordPlan, Submission, order_ref, waybill_ref
from services.declaration.matching import service as matching
from services.declaration.personal_data.masking import mask_id_number
from services.declaration.prechecks import duplicates
from services.declaration.quota import service as quota
from services.declaration.quota.rules import QuotaClaim, check_annual_quota
from services.declaration.tax.rules import Treatment, assess_inventory

NOT_FOUND_FOR_CHANGE = "DDT-204"  # appType 2/3 for a document the platform does not hold
NOT_YOURS_FOR_CHANGE = "DDT-205"  # appType 2/3 for a document another party filed
NOT_CHANGEABLE = "DDT-206"  # appType 2/3 once the document left the pre-check
BUYER_CHANGE = "DDT-207"  # an inventory amendment may not change the buyer or the quota year


async def existing_and_partners(
    session: AsyncSession, submission: Submission, plans: Sequence[RecordPlan]
) -> tuple[dict[str, duplicates.Existing], list[DocumentRow] | None]:
    """The stored documents holding the plans' keys; for inventories also their partners (one query)."""
    documents = DocumentRepository.from_session(session)
    doc_type = submission.doc_type
    keys = [plan.key for plan in plans if plan.ok]
    if doc_type.kind != "inventory":
        return duplicates.existing_in(await documents.holding_keys(keys), keys), None
    orders = {ref for plan in plans if plan.ok and (ref := order_ref(plan.record))}
    waybills = {ref for plan in plans if plan.ok and (ref := waybill_ref(plan.record))}
    rows = await documents.keys_and_partners(keys, doc_type.direction, orders, waybills)
    partners = [row for row in rows if is_partner_of(row, doc_type.direction, orders, waybills)]
    return duplicates.existing_in(rows, keys), partners


async def check_keys(
    session: AsyncSession,
    submission: Submission,
    plans: Sequence[RecordPlan],
    existing: dict[str, duplicates.Existing],
) -> None:
    """Duplicates for new records; the target document for amendments and deletions."""
    documents = DocumentRepository.from_session(session)
    targets = await documents.by_ids(
        existing[plan.key].id for plan in plans if plan.ok and plan.app_type != "1" and plan.key in existing
    )
    seen: set[str] = set()
    reused: list[str] = []
    for plan in plans:
        if not plan.ok:
            continue
        if plan.key in seen:
            plan.errors.append(_duplicate(submission, plan, within=True))
        elif plan.app_type == "1":
            found = existing.get(plan.key)
            if found is not None:
                if _reusable(submission, found):
                    reused.append(found.id)
                else:
                    plan.errors.append(_duplicate(submission, plan, within=False))
        else:
            found = existing.get(plan.key)
            _target(submission, plan, targets.get(found.id) if found else None)
        if plan.ok:
            seen.add(plan.key)
    await documents.retire_keys(reused)


def _duplicate(submission: Submission, plan: RecordPlan, within: bool) -> Issue:
    doc_type = submission.doc_type
    return duplicates.duplicate_issue(
        doc_type.message_type, plan.index, plan.record, doc_type.business_no_field, within
    )


def _reusable(submission: Submission, found: duplicates.Existing) -> bool:
    """A waybill number the carrier may use again (the older document is past the window)."""
    window = submission.ctx.settings.waybill_number_reuse_months
    return submission.doc_type.message_type in REUSABLE_AFTER_WINDOW and duplicates.reusable(
        found, submission.now, window
    )


def _target(submission: Submission, plan: RecordPlan, target: DocumentRow | None) -> None:
    """An amendment or deletion: its document must be the caller's and still in the pre-check."""
    pointer = head_pointer(plan.index, "appType")
    if target is None:
        plan.errors.append(
            Issue(NOT_FOUND_FOR_CHANGE, "no document with this key to change or delete", pointer)
        )
    elif target.party_id != submission.identity.party_id:
        plan.errors.append(Issue(NOT_YOURS_FOR_CHANGE, "the document was filed by another party", pointer))
    elif target.status not in AMENDABLE:
        plan.errors.append(
            Issue(
                NOT_CHANGEABLE, f"the document is {target.status}; it can no longer be changed here", pointer
            )
        )
    else:
        plan.existing = target
        plan.document_id = target.id


async def check_references(
    session: AsyncSession, submission: Submission, plans: Sequence[RecordPlan]
) -> None:
    """Cancellations, returns and summaries against the inventories they name (customs' own rules)."""
    message_type = submission.doc_type.message_type
    if message_type not in references.REFERRING:
        return
    live = [plan for plan in plans if plan.ok and plan.app_type != "3"]
    numbers = [n for plan in live for n in references.invt_nos_of(message_type, plan.record)]
    known = await references.known_inventories(session, numbers)
    if not known:
        return
    ids = [k.customs.document_id for k in known.values()]
    returned = await references.returned_quantities(session, ids)
    elsewhere = await references.summarised_elsewhere(session, ids) if message_type == "CEB701" else {}
    for plan in live:
        found = references.invt_nos_of(message_type, plan.record)
        target = known.get(found[0]) if found else None
        before = returned.setdefault(target.customs.document_id, defaultdict(Decimal)) if target else None
        plan.errors.extend(
            references.check_reference(
                message_type,
                plan.index,
                plan.record,
                known,
                submission.now,
                submission.ctx.settings.customs_return_window_days,
                returned_before=before,
                summarised_elsewhere=elsewhere,
            )
        )
        if before is not None and plan.ok:
            # Two returns of one inventory in one message count together.
            references.add_returned(before, plan.record.lines)


def value_records(submission: Submission, plans: Sequence[RecordPlan]) -> None:
    """Each live record's value in CNY (the month's customs rate) and its supervision mode."""
    doc_type, rates = submission.doc_type, submission.ctx.rates
    for plan in plans:
        if plan.ok and plan.app_type != "3":
            valued = value_document(doc_type, plan.index, plan.record, rates, submission.local_date)
            if isinstance(valued, Issue):
                plan.errors.append(valued)
            else:
                plan.valuation = valued
                plan.mode = mode_of(doc_type, plan.record)


async def tax_and_quota(session: AsyncSession, submission: Submission, plans: Sequence[RecordPlan]) -> None:
    """Import inventories: assess tax, then reserve the buyer's annual quota (under the filing's locks)."""
    if submission.doc_type.message_type != "CEB621":
        return
    ctx, year = submission.ctx, submission.year
    amended_ids = [plan.existing.id for plan in plans if plan.ok and plan.app_type == "2" and plan.existing]
    held = await quota.held_by(session, amended_ids)
    claims: list[QuotaClaim] = []
    for plan in plans:
        if not plan.ok or plan.app_type == "3":
            continue
        assessment = assess_inventory(plan.record, ctx.tax, ctx.limits, plan.index)
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
            QuotaClaim(
                plan.index, plan.document_id, plan.buyer_hash, year, assessment.dutiable_value, held_units
            )
        )
    refused = await quota.reserve(session, claims, ctx.limits, submission.now)
    for plan in plans:
        position = refused.get(plan.index)
        if position is not None:
            buyer = mask_id_number(str(plan.record.head.get("buyerIdNumber", "")))
            issue = check_annual_quota(position, buyer, plan.index)
            if issue is not None:
                plan.errors.append(issue)


async def match_inventories(
    session: AsyncSession,
    submission: Submission,
    plans: Sequence[RecordPlan],
    partners: list[DocumentRow] | None,
) -> None:
    """Inventories: the three-document match against the partners already stored."""
    doc_type = submission.doc_type
    if doc_type.kind != "inventory":
        return
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
    outcomes = await matching.match_inventories(
        session, submission.ctx, doc_type.direction, to_match, partners
    )
    for plan in plans:
        plan.match = outcomes.get(plan.document_id) if plan.ok else None


async def partner_changes(
    session: AsyncSession, submission: Submission, accepted: Sequence[RecordPlan]
) -> list[lifecycle.Transition]:
    """Status changes the accepted records cause elsewhere: the partners of matched inventories,
    or the inventories waiting for these orders, payments and waybills."""
    doc_type, now = submission.doc_type, submission.now
    if doc_type.kind == "inventory":
        matched = [(plan.match, plan.mode) for plan in accepted if plan.match]
        await matching.learn_partner_modes(session, matched, now)
        return matching.partner_promotions(matched)
    if doc_type.kind in {"order", "payment", "waybill"}:
        return await matching.rematch_referencing(
            session,
            submission.ctx,
            doc_type.direction,
            (ref for plan in accepted if (ref := order_ref(plan.record))),
            (ref for plan in accepted if doc_type.kind == "waybill" and (ref := waybill_ref(plan.record))),
            now,
        )
    return []


__all__ = [
    "BUYER_CHANGE",
    "NOT_CHANGEABLE",
    "NOT_FOUND_FOR_CHANGE",
    "NOT_YOURS_FOR_CHANGE",
    "check_keys",
    "check_references",
    "existing_and_partners",
    "match_inventories",
    "partner_changes",
    "tax_and_quota",
    "value_records",
]
