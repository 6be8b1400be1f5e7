"""Export credit insurance: policies and limits, declarations prepared from released exports,
submissions, reminders, exposure and financing — load, decide with the rules, store."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.context import PaymentsContext
from services.payments.goods.models import GoodsDocument
from services.payments.goods.repository import GoodsRepository
from services.payments.goods.rules import declared_at
from services.payments.institutions import service as institutions
from services.payments.insurance import rules
from services.payments.insurance.models import (
    BuyerLimit,
    InsurancePolicy,
    PolicyFinancing,
    ShipmentDeclaration,
)
from services.payments.insurance.problems import (
    AGREEMENT_EXISTS,
    BUYER_EXISTS,
    DECLARATION_CLOSED,
    DECLARATION_EXISTS,
    LIMIT_NOT_APPLICABLE,
    NOT_RELEASED,
    NOT_THE_ENTERPRISE,
    POLICY_EXISTS,
)
from services.payments.insurance.repository import InsuranceRepository
from services.payments.insurance.schemas import (
    BuyerLimitIn,
    BuyerLimitOut,
    DeclarationOut,
    DeclareIn,
    FinancingIn,
    FinancingOut,
    PolicyIn,
    PolicyOut,
    SubmitIn,
)
from services.payments.parties.repository import PartyRepository
from services.payments.transactions.repository import TransactionRepository
from shared.currencies import UnknownCurrency, is_known, to_customs, to_iso
from shared.events.payments import ShipmentDeclarationDue
from shared.fx import UnknownRate
from shared.identity import Identity
from shared.messaging.outbox import EventPublisher
from shared.problems import NOT_FOUND, VALIDATION_FAILED, ProblemError

log = logging.getLogger("ddt.payments.insurance")
BEIJING = dt.timezone(dt.timedelta(hours=8))
_CENT = Decimal("0.01")


def beijing_day(at: dt.datetime) -> dt.date:
    """The Beijing calendar day of an instant (customs' and the insurer's day)."""
    return at.astimezone(BEIJING).date()


def _refuse(errors: list[dict[str, str]]) -> None:
    if errors:
        raise ProblemError(VALIDATION_FAILED, f"Refused: {errors[0]['detail']}.", errors=errors)


def _limit_issues(
    limit: BuyerLimitIn, policy_start: dt.date, policy_end: dt.date, at: str
) -> list[dict[str, str]]:
    issues = []
    if not is_known(limit.currency):
        issues.append({"pointer": f"{at}/currency", "detail": "unknown currency"})
    if limit.valid_until < limit.valid_from:
        issues.append({"pointer": f"{at}/valid_until", "detail": "a limit cannot end before it starts"})
    if limit.valid_from > policy_end or limit.valid_until < policy_start:
        issues.append({"pointer": f"{at}/valid_from", "detail": "the limit lies outside the policy period"})
    return issues


def _enterprise(identity: Identity) -> str:
    # Policies are the insured enterprise's own: institutions and regulators only read them.
    if institutions.institution_kind(identity) is not None or identity.is_regulator:
        raise ProblemError(NOT_THE_ENTERPRISE, "Only the insured enterprise records its policies.")
    return identity.party_id


def _limit_row(policy_id: str, body: BuyerLimitIn, now: dt.datetime) -> BuyerLimit:
    return BuyerLimit(
        id=f"lim_{uuid.uuid4().hex[:24]}",
        policy_id=policy_id,
        buyer_code=body.buyer_code,
        buyer_name=body.buyer_name,
        buyer_country=body.buyer_country,
        approved_limit=body.approved_limit,
        currency=body.currency,
        payment_terms=body.payment_terms,
        credit_days=body.credit_days,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
        status=body.status,
        updated_at=now,
    )


async def create_policy(
    session: AsyncSession, identity: Identity, body: PolicyIn, now: dt.datetime
) -> InsurancePolicy:
    """Record a policy and its buyer limits (refused whole, naming every field at fault)."""
    enterprise = _enterprise(identity)
    errors: list[dict[str, str]] = []
    if body.period_end < body.period_start:
        errors.append({"pointer": "/body/period_end", "detail": "the period cannot end before it starts"})
    if not is_known(body.currency):
        errors.append({"pointer": "/body/currency", "detail": "unknown currency"})
    seen: dict[str, int] = {}
    for n, limit in enumerate(body.buyer_limits):
        at = f"/body/buyer_limits/{n}"
        errors += _limit_issues(limit, body.period_start, body.period_end, at)
        key = limit.buyer_code.upper()
        if key in seen:
            errors.append(
                {"pointer": f"{at}/buyer_code", "detail": f"buyer listed twice (also at {seen[key]})"}
            )
        seen.setdefault(key, n)
    _refuse(errors)
    repo = InsuranceRepository(session)
    if await repo.policy_by_no(enterprise, body.insurer, body.policy_no) is not None:
        raise ProblemError(
            POLICY_EXISTS,
            "This policy is already recorded.",
            errors=[{"pointer": "/body/policy_no", "detail": "recorded before"}],
        )
    policy = InsurancePolicy(
        id=f"pol_{uuid.uuid4().hex[:24]}",
        enterprise_party_id=enterprise,
        insurer=body.insurer,
        policy_no=body.policy_no,
        period_start=body.period_start,
        period_end=body.period_end,
        currency=body.currency,
        coverage_pct=body.coverage_pct,
        max_liability=body.max_liability,
        status="active",
        created_at=now,
        updated_at=now,
    )
    await repo.add(policy)
    for limit in body.buyer_limits:
        await repo.add(_limit_row(policy.id, limit, now))
    return policy


async def readable_policy(session: AsyncSession, identity: Identity, policy_id: str) -> InsurancePolicy:
    """A policy the caller may read (the enterprise, an institution it granted, a regulator), else 404."""
    policy = await InsuranceRepository(session).policy(policy_id)
    if policy is None:
        raise ProblemError(NOT_FOUND, "No such policy.")
    if not identity.is_regulator:
        await institutions.require_access(session, identity, policy.enterprise_party_id)
    return policy


async def own_policy(session: AsyncSession, identity: Identity, policy_id: str) -> InsurancePolicy:
    """A policy of the caller's own, else 404 (another's) or 403 (not an enterprise)."""
    enterprise = _enterprise(identity)
    policy = await InsuranceRepository(session).policy(policy_id)
    if policy is None or policy.enterprise_party_id != enterprise:
        raise ProblemError(NOT_FOUND, "No such policy.")
    return policy


async def set_status(
    session: AsyncSession, identity: Identity, policy_id: str, status: str, now: dt.datetime
) -> InsurancePolicy:
    """Cancel (or reinstate) a policy: a cancelled policy prepares no more declarations."""
    policy = await own_policy(session, identity, policy_id)
    policy.status = status
    policy.updated_at = now
    return policy


async def put_limit(
    session: AsyncSession,
    identity: Identity,
    policy_id: str,
    body: BuyerLimitIn,
    now: dt.datetime,
    *,
    new: bool,
) -> BuyerLimit:
    """Add a buyer limit to a policy (``new``), or change the one of that buyer (the insurer revised it)."""
    policy = await own_policy(session, identity, policy_id)
    _refuse(_limit_issues(body, policy.period_start, policy.period_end, "/body"))
    repo = InsuranceRepository(session)
    existing = next(
        (lim for lim in await repo.limits([policy.id]) if lim.buyer_code.upper() == body.buyer_code.upper()),
        None,
    )
    if existing is None:
        row = _limit_row(policy.id, body, now)
        await repo.add(row)
        return row
    if new:
        raise ProblemError(
            BUYER_EXISTS,
            "This buyer already has a limit on the policy; PUT it to change it.",
            errors=[{"pointer": "/body/buyer_code", "detail": "has a limit already"}],
        )
    for field, value in body.model_dump().items():
        setattr(existing, field, value)
    existing.updated_at = now
    return existing


# --- preparing declarations from released exports ------------------------------------------


async def prepare(session: AsyncSession, document: GoodsDocument, enterprise: str, now: dt.datetime) -> bool:
    """A released export of an insured enterprise to a buyer with a limit → a prepared declaration.

    Runs inside the consumer's inbox transaction; the document id is unique among
    declarations, so a replayed release prepares nothing more. True if one was prepared.
    """
    released = declared_at(document.released_at, document.closed_at)
    if document.direction != "export" or released is None:
        return False
    try:
        currency = to_iso(document.currency)
    except UnknownCurrency:
        return False
    buyer_code, buyer_name = document.buyer_code, document.buyer_name
    if not (buyer_code or buyer_name) and document.order_no:
        # The order states the buyer when the inventory does not.
        order = await _order_of(session, document)
        if order is not None:
            buyer_code, buyer_name = order.buyer_code, order.buyer_name
    shipment = beijing_day(released)
    repo = InsuranceRepository(session)
    policies = [
        p
        for p in await repo.policies_of([enterprise])
        if p.status == "active" and p.period_start <= shipment <= p.period_end
    ]
    limits = await repo.limits([p.id for p in policies])
    candidates = [_candidate(lim) for lim in limits]
    found = rules.match_limit(candidates, buyer_code, buyer_name, document.country, shipment)
    if found is None:
        return False
    limit = next(lim for lim in limits if lim.id == found)
    return await repo.add_declaration(_declaration_row(document, limit, enterprise, shipment, currency, now))


def _candidate(limit: BuyerLimit) -> rules.LimitCandidate:
    return rules.LimitCandidate(
        limit.id,
        limit.buyer_code,
        limit.buyer_name,
        limit.buyer_country,
        limit.valid_from,
        limit.valid_until,
        limit.status,
    )


def _declaration_row(
    document: GoodsDocument,
    limit: BuyerLimit,
    enterprise: str,
    shipment: dt.date,
    currency: str,
    now: dt.datetime,
) -> dict[str, Any]:
    return {
        "id": f"sdc_{uuid.uuid4().hex[:24]}",
        "document_id": document.document_id,
        "enterprise_party_id": enterprise,
        "policy_id": limit.policy_id,
        "limit_id": limit.id,
        "order_no": document.order_no,
        "invt_no": document.invt_no,
        "shipment_date": shipment,
        "invoice_amount": document.value - document.returned_value,
        "currency": currency,
        "payment_terms": limit.payment_terms,
        "payment_due_date": shipment + dt.timedelta(days=limit.credit_days),
        "status": "prepared",
        "insurer_reference": None,
        "submitted_at": None,
        "prepared_at": now,
    }


async def declare(
    session: AsyncSession, identity: Identity, body: DeclareIn, now: dt.datetime
) -> ShipmentDeclaration:
    """The enterprise names the insured buyer of a released export itself.

    Customs messages carry no overseas buyer (CEB303 and CEB603 name none), so a shipment
    the platform could not match by the buyer its events state is declared this way: the
    enterprise picks the buyer limit, and every rule the automatic path applies still holds
    (a released export of its own, a policy in force and a limit valid that day for the
    export's destination country). One declaration per export.
    """
    enterprise = _enterprise(identity)
    document = await GoodsRepository(session).document(body.document_id)
    if document is None or document.party_id != enterprise or document.kind != "inventory":
        raise ProblemError(
            NOT_FOUND,
            "No export inventory of yours has this document id.",
            errors=[{"pointer": "/body/document_id", "detail": "not an export inventory of yours"}],
        )
    released = declared_at(document.released_at, document.closed_at)
    if document.direction != "export" or released is None:
        raise ProblemError(
            NOT_RELEASED,
            "Only a released export is declared to the insurer.",
            errors=[{"pointer": "/body/document_id", "detail": "not released by customs yet"}],
        )
    repo = InsuranceRepository(session)
    limit = await repo.limit(body.limit_id)
    policy = await repo.policy(limit.policy_id) if limit is not None else None
    if limit is None or policy is None or policy.enterprise_party_id != enterprise:
        raise ProblemError(
            NOT_FOUND,
            "No buyer limit of yours has this id.",
            errors=[{"pointer": "/body/limit_id", "detail": "not a buyer limit of your policies"}],
        )
    shipment = beijing_day(released)
    candidate = _candidate(limit)
    in_force = policy.status == "active" and policy.period_start <= shipment <= policy.period_end
    if (
        not in_force
        or rules.match_limit([candidate], limit.buyer_code, None, document.country, shipment) is None
    ):
        raise ProblemError(
            LIMIT_NOT_APPLICABLE,
            f"The limit does not cover a shipment on {shipment} to country {document.country or 'unknown'}: "
            f"the policy must be in force, the limit approved and valid that day, for the export's "
            f"destination country ({limit.buyer_country}).",
            errors=[{"pointer": "/body/limit_id", "detail": "does not cover the shipment"}],
        )
    try:
        currency = to_iso(document.currency)
    except UnknownCurrency as exc:
        raise ProblemError(
            LIMIT_NOT_APPLICABLE,
            f"The export's currency {document.currency} is unknown.",
            errors=[{"pointer": "/body/document_id", "detail": "unknown currency"}],
        ) from exc
    existing = await repo.declaration_of_document(document.document_id)
    if existing is not None:
        raise ProblemError(DECLARATION_EXISTS, f"This export is already declared ({existing.id}).")
    await repo.add_declaration(_declaration_row(document, limit, enterprise, shipment, currency, now))
    row = await repo.declaration_of_document(document.document_id)
    assert row is not None
    return row


async def _order_of(session: AsyncSession, document: GoodsDocument) -> GoodsDocument | None:
    orders = await GoodsRepository(session).documents_of(
        [document.ebc_code] if document.ebc_code else [],
        document.party_id,
        kinds=["order"],
        direction="export",
        order_nos=[document.order_no] if document.order_no else [],
    )
    return orders[0] if orders else None


async def withdraw(session: AsyncSession, document_id: str) -> None:
    """A cancelled export is not declared to the insurer: its unsubmitted declaration is withdrawn."""
    row = await InsuranceRepository(session).declaration_of_document(document_id)
    if row is not None and row.status in ("prepared", "overdue"):
        row.status = "withdrawn"


# --- reading, with exposure --------------------------------------------------------------------


def _in_currency(ctx: PaymentsContext, amount: Decimal, source: str, target: str, on: dt.date) -> Decimal:
    if source == target:
        return amount
    try:
        rate_from, _ = ctx.rates.rate(to_customs(source), on)
        rate_to, _ = ctx.rates.rate(to_customs(target), on)
    except (UnknownRate, UnknownCurrency):
        # Without a rate the shipment is counted at face value: over-counting exposure is the safe side.
        return amount
    return (amount * rate_from / rate_to).quantize(_CENT, rounding=ROUND_HALF_UP)


class Book:
    """Declarations of some limits with what is unpaid and what went beyond each limit."""

    def __init__(self) -> None:
        self.unpaid: dict[str, Decimal] = {}
        self.beyond: set[str] = set()
        self.exposure: dict[str, Decimal] = {}


async def book_of(
    session: AsyncSession, ctx: PaymentsContext, limits: Sequence[BuyerLimit]
) -> tuple[Book, list[ShipmentDeclaration]]:
    """Exposure of each limit: Σ unpaid open declarations (matched receipts count as paid)."""
    book = Book()
    rows = await InsuranceRepository(session).declarations(None, limit_ids=[lim.id for lim in limits])
    paid = await TransactionRepository(session).paid_goods([r.document_id for r in rows])
    by_limit = {lim.id: lim for lim in limits}
    items: dict[str, list[rules.Exposed]] = {lim.id: [] for lim in limits}
    for row in rows:
        unpaid = max(Decimal(0), row.invoice_amount - paid.get(row.document_id, Decimal(0)))
        if row.status not in rules.OPEN:
            unpaid = Decimal(0)
        book.unpaid[row.id] = unpaid
        limit = by_limit[row.limit_id]
        in_limit = _in_currency(ctx, unpaid, row.currency, limit.currency, row.shipment_date)
        items[row.limit_id].append(rules.Exposed(row.id, row.shipment_date, in_limit))
    for limit in limits:
        total, beyond = rules.exposure(limit.approved_limit, items[limit.id])
        book.exposure[limit.id] = total
        book.beyond |= beyond
    return book, rows


def limit_out(limit: BuyerLimit, book: Book) -> BuyerLimitOut:
    """A buyer limit with its exposure."""
    exposure = book.exposure.get(limit.id, Decimal(0))
    return BuyerLimitOut(
        id=limit.id,
        buyer_code=limit.buyer_code,
        buyer_name=limit.buyer_name,
        buyer_country=limit.buyer_country,
        approved_limit=limit.approved_limit,
        currency=limit.currency,
        payment_terms=limit.payment_terms,
        credit_days=limit.credit_days,
        valid_from=limit.valid_from,
        valid_until=limit.valid_until,
        status=limit.status,
        exposure=exposure,
        available=max(Decimal(0), limit.approved_limit - exposure),
        beyond_limit=exposure > limit.approved_limit,
    )


async def policies_out(
    session: AsyncSession, ctx: PaymentsContext, policies: Sequence[InsurancePolicy]
) -> list[PolicyOut]:
    """Policies with their limits and exposure."""
    limits = await InsuranceRepository(session).limits([p.id for p in policies])
    book, _rows = await book_of(session, ctx, limits)
    return [
        PolicyOut(
            id=p.id,
            enterprise_party_id=p.enterprise_party_id,
            insurer=p.insurer,
            policy_no=p.policy_no,
            period_start=p.period_start,
            period_end=p.period_end,
            currency=p.currency,
            coverage_pct=p.coverage_pct,
            max_liability=p.max_liability,
            status=p.status,
            buyer_limits=[limit_out(lim, book) for lim in limits if lim.policy_id == p.id],
        )
        for p in policies
    ]


def due_of(ctx: PaymentsContext, row: ShipmentDeclaration) -> dt.date:
    """The declaration's deadline on the configured calendar."""
    settings = ctx.settings
    return rules.due_on(
        row.shipment_date, settings.shipment_declaration_working_days, settings.public_holidays
    )


async def declarations_out(
    session: AsyncSession, ctx: PaymentsContext, rows: Sequence[ShipmentDeclaration], today: dt.date
) -> list[DeclarationOut]:
    """Declarations as the API shows them (deadline, effective status, unpaid, beyond the limit)."""
    repo = InsuranceRepository(session)
    limits = {r.limit_id: await repo.limit(r.limit_id) for r in rows}
    found = [lim for lim in limits.values() if lim is not None]
    book, _all = await book_of(session, ctx, found)
    policies = {r.policy_id: await repo.policy(r.policy_id) for r in rows}
    answers = []
    for r in rows:
        limit, policy = limits[r.limit_id], policies[r.policy_id]
        assert limit is not None and policy is not None
        due = due_of(ctx, r)
        answers.append(
            DeclarationOut(
                id=r.id,
                enterprise_party_id=r.enterprise_party_id,
                policy_id=r.policy_id,
                policy_no=policy.policy_no,
                limit_id=r.limit_id,
                buyer_code=limit.buyer_code,
                buyer_name=limit.buyer_name,
                buyer_country=limit.buyer_country,
                document_id=r.document_id,
                order_no=r.order_no,
                invt_no=r.invt_no,
                shipment_date=r.shipment_date,
                invoice_amount=r.invoice_amount,
                currency=r.currency,
                payment_terms=r.payment_terms,
                payment_due_date=r.payment_due_date,
                due_on=due,
                status=rules.effective_status(r.status, due, today),  # type: ignore[arg-type]
                insurer_reference=r.insurer_reference,
                submitted_at=r.submitted_at,
                unpaid=book.unpaid.get(r.id, Decimal(0)),
                beyond_limit=r.id in book.beyond,
            )
        )
    return answers


async def readable_declaration(
    session: AsyncSession, identity: Identity, declaration_id: str
) -> ShipmentDeclaration:
    """A declaration the caller may read, else 404."""
    row = await InsuranceRepository(session).declaration(declaration_id)
    if row is None:
        raise ProblemError(NOT_FOUND, "No such shipment declaration.")
    if not identity.is_regulator:
        await institutions.require_access(session, identity, row.enterprise_party_id)
    return row


async def submit(
    session: AsyncSession, identity: Identity, declaration_id: str, body: SubmitIn, now: dt.datetime
) -> ShipmentDeclaration:
    """The enterprise confirms it declared the shipment to the insurer (also late: overdue → submitted)."""
    enterprise = _enterprise(identity)
    row = await InsuranceRepository(session).declaration(declaration_id)
    if row is None or row.enterprise_party_id != enterprise:
        raise ProblemError(NOT_FOUND, "No such shipment declaration.")
    if row.status == "submitted" and row.insurer_reference == body.insurer_reference:
        return row  # a replay of the same confirmation
    if row.status not in ("prepared", "overdue"):
        raise ProblemError(DECLARATION_CLOSED, f"This declaration is {row.status}.")
    row.status = "submitted"
    row.insurer_reference = body.insurer_reference
    row.submitted_at = body.submitted_at or now
    return row


# --- reminders ---------------------------------------------------------------------------------


async def check_reminders(
    session: AsyncSession, ctx: PaymentsContext, publisher: EventPublisher, now: dt.datetime
) -> int:
    """Remind about unsubmitted declarations (the working day before, on the deadline) and mark the
    late ones overdue; each stage once per declaration. How many reminders were given."""
    today = beijing_day(now)
    holidays = ctx.settings.public_holidays
    repo = InsuranceRepository(session)
    given = 0
    for row in await repo.declarations(None, statuses=["prepared", "overdue"]):
        due = due_of(ctx, row)
        stage = rules.reminder_stage(due, today, holidays)
        if stage is None:
            continue
        if stage == "overdue":
            row.status = "overdue"
        if not await repo.add_reminder({"declaration_id": row.id, "stage": stage, "given_at": now}):
            continue
        policy = await repo.policy(row.policy_id)
        assert policy is not None
        await publisher.stage(
            session,
            ShipmentDeclarationDue(
                party_id=row.enterprise_party_id,
                declaration_id=row.id,
                policy_no=policy.policy_no,
                due_on=due,
                status="overdue" if stage == "overdue" else "remind",
                occurred_at=now,
            ),
            subject=row.id,
        )
        given += 1
    return given


# --- financing ---------------------------------------------------------------------------------


def financing_out(row: PolicyFinancing) -> FinancingOut:
    """A financing as the API shows it."""
    return FinancingOut(
        id=row.id,
        policy_id=row.policy_id,
        enterprise_party_id=row.enterprise_party_id,
        kind=row.kind,
        bank_party_id=row.bank_party_id,
        agreement_no=row.agreement_no,
        amount=row.amount,
        currency=row.currency,
        start_date=row.start_date,
        end_date=row.end_date,
        declaration_ids=row.declaration_ids.split() if row.declaration_ids else [],
        recorded_at=row.recorded_at,
    )


async def record_financing(
    session: AsyncSession, identity: Identity, policy_id: str, body: FinancingIn, now: dt.datetime
) -> PolicyFinancing:
    """Record a policy financing the enterprise agreed with a bank (refusals name the field)."""
    policy = await own_policy(session, identity, policy_id)
    repo = InsuranceRepository(session)
    errors: list[dict[str, str]] = []
    bank = (await PartyRepository(session).many([body.bank_party_id])).get(body.bank_party_id)
    if bank is None or "bank" not in (bank.roles or []):
        errors.append({"pointer": "/body/bank_party_id", "detail": "not a bank registered on the platform"})
    if not is_known(body.currency):
        errors.append({"pointer": "/body/currency", "detail": "unknown currency"})
    if body.end_date is not None and body.end_date < body.start_date:
        errors.append({"pointer": "/body/end_date", "detail": "financing cannot end before it starts"})
    for n, declaration_id in enumerate(body.declaration_ids):
        linked = await repo.declaration(declaration_id)
        if linked is None or linked.policy_id != policy.id:
            errors.append(
                {"pointer": f"/body/declaration_ids/{n}", "detail": "not a declaration of this policy"}
            )
    _refuse(errors)
    if await repo.financing_by_agreement(policy.id, body.agreement_no) is not None:
        raise ProblemError(
            AGREEMENT_EXISTS,
            "This financing agreement is already recorded.",
            errors=[{"pointer": "/body/agreement_no", "detail": "recorded before"}],
        )
    row = PolicyFinancing(
        id=f"fin_{uuid.uuid4().hex[:24]}",
        policy_id=policy.id,
        enterprise_party_id=policy.enterprise_party_id,
        kind=body.kind,
        bank_party_id=body.bank_party_id,
        agreement_no=body.agreement_no,
        amount=body.amount,
        currency=body.currency,
        start_date=body.start_date,
        end_date=body.end_date,
        declaration_ids=" ".join(body.declaration_ids),
        recorded_at=now,
    )
    await repo.add(row)
    return row
