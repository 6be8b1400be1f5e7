"""Reporting, matching, holding, releasing and voiding transactions."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.context import PaymentsContext
from services.payments.figures import service as figures
from services.payments.goods import rules as goods_rules
from services.payments.goods.repository import GoodsRepository
from services.payments.goods.service import enterprise_codes
from services.payments.institutions import service as institutions
from services.payments.institutions.problems import NOT_SERVED
from services.payments.institutions.repository import InstitutionRepository
from services.payments.threshold import service as threshold
from services.payments.threshold.models import ThresholdCounter
from services.payments.threshold.repository import ThresholdRepository
from services.payments.transactions import rules
from services.payments.transactions.effects import after_applied, after_voided
from services.payments.transactions.models import Transaction
from services.payments.transactions.problems import NOT_HELD, NOT_RELEASABLE, REFERENCE_REUSED, UNKNOWN_RATE
from services.payments.transactions.repository import TransactionRepository
from services.payments.transactions.schemas import (
    AllocationOut,
    CounterpartyOut,
    DeductionOut,
    RegistrationIn,
    RegistrationOut,
    ThresholdOut,
    TransactionIn,
    TransactionOut,
    UnmatchedOut,
)
from shared.currencies import UnknownCurrency, to_customs, to_iso
from shared.events.payments import (
    DeductionKind,
    FlowDirection,
    ThresholdState,
    TransactionReported,
    TransactionStatus,
    TransactionStatusChanged,
)
from shared.fx import CNY, UnknownRate
from shared.identity import Identity
from shared.messaging.outbox import EventPublisher
from shared.problems import NOT_FOUND, ProblemError

USD = "502"
COUNTERPARTY_PURPOSE = "payments-counterparty"


def fingerprint(body: TransactionIn) -> str:
    """What identifies a report's content (a replay must match it)."""
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _convert(
    ctx: PaymentsContext, amount: Decimal, currency: str, on: dt.date
) -> tuple[Decimal, Decimal, str]:
    """(CNY, USD, rate month) of an amount at the customs monthly rates."""
    try:
        customs = to_customs(currency)
        cny = ctx.rates.convert(amount, customs, on)
        usd_rate, _ = ctx.rates.rate(USD, on)
    except UnknownCurrency as exc:
        raise ProblemError(
            UNKNOWN_RATE, str(exc), errors=[{"pointer": "/body/currency", "detail": "unknown currency"}]
        ) from None
    except UnknownRate as exc:
        raise ProblemError(
            UNKNOWN_RATE, str(exc), errors=[{"pointer": "/body/currency", "detail": "no customs rate"}]
        ) from None
    return cny.value_cny, rules.cents(cny.value_cny / usd_rate), cny.rate_month


async def _candidates(
    session: AsyncSession,
    ctx: PaymentsContext,
    enterprise: str,
    direction: FlowDirection,
    currency: str,
    order_nos: list[str],
    on: dt.date,
) -> dict[str, list[rules.Candidate]]:
    """Declared goods (released or closed inventories) of the enterprise under these orders."""
    if not order_nos:
        return {}
    goods_direction = "export" if direction is FlowDirection.RECEIPT else "import"
    documents = await GoodsRepository(session).documents_of(
        await enterprise_codes(session, enterprise),
        enterprise,
        kinds=["inventory"],
        direction=goods_direction,
        order_nos=order_nos,
    )
    declared = [d for d in documents if goods_rules.is_declared(d.status)]
    paid = await TransactionRepository(session).paid_goods([d.document_id for d in declared])
    txn_rate, _ = ctx.rates.rate(to_customs(currency), on)
    found: dict[str, list[rules.Candidate]] = {}
    for document in sorted(
        declared, key=lambda d: (goods_rules.declared_at(d.released_at, d.closed_at), d.document_id)
    ):
        assert document.order_no is not None
        try:
            goods_rate, _ = ctx.rates.rate(document.currency, on)
        except UnknownRate:
            continue
        outstanding = document.value - document.returned_value - paid.get(document.document_id, Decimal(0))
        found.setdefault(document.order_no, []).append(
            rules.Candidate(
                document.document_id, document.order_no, max(outstanding, Decimal(0)), goods_rate / txn_rate
            )
        )
    return found


async def _allocate(
    session: AsyncSession, ctx: PaymentsContext, txn: Transaction, deductions: list[Decimal]
) -> rules.Allocation:
    requested = [
        rules.Requested(o["order_no"], Decimal(o["amount"]) if o.get("amount") else None)
        for o in txn.requested_orders
    ]
    candidates = await _candidates(
        session,
        ctx,
        txn.enterprise_party_id,
        FlowDirection(txn.direction),
        txn.currency,
        [r.order_no for r in requested],
        txn.value_date,
    )
    return rules.allocate(txn.amount, deductions, requested, candidates)


async def _store_allocation(
    session: AsyncSession, txn: Transaction, allocation: rules.Allocation, active: bool
) -> None:
    goods = {
        d.document_id: d
        for d in [await GoodsRepository(session).document(line.document_id) for line in allocation.lines]
        if d is not None
    }
    await TransactionRepository(session).add_lines(
        [
            {
                "transaction_id": txn.id,
                "seq": seq,
                "document_id": line.document_id,
                "order_no": line.order_no,
                "amount": line.amount,
                "goods_amount": line.goods_amount,
                "goods_currency": goods[line.document_id].currency if line.document_id in goods else CNY,
                "active": active,
            }
            for seq, line in enumerate(allocation.lines, start=1)
        ],
        [],
    )
    txn.allocated = allocation.allocated
    txn.netted = allocation.netted
    txn.remainder = allocation.remainder
    txn.unmatched_orders = [{"order_no": u.order_no, "reason": u.reason} for u in allocation.unmatched]


async def report(
    session: AsyncSession,
    ctx: PaymentsContext,
    publisher: EventPublisher,
    identity: Identity,
    body: TransactionIn,
    now: dt.datetime,
) -> tuple[TransactionOut, bool]:
    """Record a reported transaction (or answer the stored one for a replay); (answer, created)."""
    institution = await institutions.own_profile(session, identity)
    repo = TransactionRepository(session)
    digest = fingerprint(body)
    existing = await repo.by_reference(institution.party_id, body.reference)
    if existing is not None:
        return await _replay(session, existing, digest), False
    serves, _granted = await InstitutionRepository(session).is_granted(
        body.enterprise_party_id, institution.party_id
    )
    if not serves:
        raise ProblemError(
            NOT_SERVED,
            "Report transactions only for enterprises you serve (POST /v1/payments/institution/clients).",
            errors=[{"pointer": "/body/enterprise_party_id", "detail": "not a client of the institution"}],
        )
    amount_cny, amount_usd, rate_month = _convert(ctx, body.amount, body.currency, body.value_date)
    txn_id = f"txn_{uuid.uuid4().hex[:24]}"
    sealed = ctx.vault.seal_json(body.counterparty.model_dump(mode="json"), f"txn:{txn_id}")
    account = body.counterparty.account
    row = {
        "id": txn_id,
        "institution_party_id": institution.party_id,
        "reference": body.reference,
        "fingerprint": digest,
        "enterprise_party_id": body.enterprise_party_id,
        "direction": body.direction.value,
        "amount": body.amount,
        "currency": to_iso(body.currency),
        "value_date": body.value_date,
        "year": threshold.year_of(body.value_date),
        "amount_usd": amount_usd,
        "amount_cny": amount_cny,
        "rate_month": rate_month,
        "online": body.online,
        "payout_reference": body.payout_reference,
        "platform_name": body.platform,
        "end_to_end_id": body.end_to_end_id,
        "counterparty_hash": ctx.vault.lookup_hash(COUNTERPARTY_PURPOSE, "".join(account.split()))
        if account
        else None,
        "counterparty_key_id": sealed.key_id,
        "counterparty_sealed": sealed.blob,
        "counterparty_masked": rules.mask_name(body.counterparty.name),
        "counterparty_country": body.counterparty.country,
        "requested_orders": [o.model_dump(mode="json") for o in body.orders],
        "unmatched_orders": [],
        "status": TransactionStatus.APPLIED.value,
        "hold_reason": None,
        "allocated": Decimal(0),
        "netted": Decimal(0),
        "remainder": body.amount,
        "settled": Decimal(0),
        "reported_at": now,
        "updated_at": now,
    }
    counter = None
    if to_customs(body.currency) != CNY:
        counter = await threshold.locked(
            session, body.enterprise_party_id, institution.party_id, threshold.year_of(body.value_date), now
        )
        decision = threshold.rules.decide(
            await threshold.counter_of(session, counter), body.direction, amount_usd, threshold.limits_of(ctx)
        )
        if decision.hold:
            row["status"], row["hold_reason"] = TransactionStatus.HELD.value, decision.reason[:300]
    if not await repo.insert(row):
        # A concurrent replay inserted it first: answer as a replay.
        stored = await repo.by_reference(institution.party_id, body.reference)
        assert stored is not None
        return await _replay(session, stored, digest), False
    txn = await repo.get(txn_id)
    assert txn is not None
    await repo.add_lines(
        [],
        [
            {"transaction_id": txn_id, "seq": seq, "kind": d.kind.value, "amount": d.amount, "note": d.note}
            for seq, d in enumerate(body.deductions, start=1)
        ],
    )
    applied = txn.status == TransactionStatus.APPLIED.value
    allocation = await _allocate(session, ctx, txn, [d.amount for d in body.deductions])
    await _store_allocation(session, txn, allocation, active=applied)
    if applied and counter is not None:
        await threshold.count(session, publisher, ctx, counter, body.direction, amount_usd, now)
    elif counter is not None:
        # Held: the alert goes out even though nothing was counted.
        await _alert_hold(session, publisher, ctx, counter, txn, now)
    await publisher.stage(session, await _reported(session, txn), subject=txn.id)
    if applied:
        await after_applied(session, ctx, publisher, txn, now)
    else:
        await figures.transaction_changed(session, publisher, txn, now)
    return await transaction_out(session, txn), True


async def _alert_hold(
    session: AsyncSession,
    publisher: EventPublisher,
    ctx: PaymentsContext,
    counter: ThresholdCounter,
    txn: Transaction,
    now: dt.datetime,
) -> None:
    state = ThresholdState(counter.state)
    if state is not ThresholdState.REGISTRATION_REQUIRED:
        counter.state = ThresholdState.REGISTRATION_REQUIRED.value
    await publisher.stage(
        session,
        threshold.ThresholdStateChanged(
            party_id=counter.enterprise_party_id,
            institution=await threshold.institution_ref(session, counter.institution_party_id),
            year=counter.year,
            previous_state=state,
            state=ThresholdState.REGISTRATION_REQUIRED,
            receipts_usd=counter.receipts_usd,
            payments_usd=counter.payments_usd,
            source="counter",
            reason=f"transaction {txn.id} held: {txn.hold_reason}",
            occurred_at=now,
        ),
        subject=f"{counter.enterprise_party_id}:{counter.institution_party_id}:{counter.year}",
    )


async def _reported(session: AsyncSession, txn: Transaction) -> TransactionReported:
    return TransactionReported(
        party_id=txn.enterprise_party_id,
        institution=await threshold.institution_ref(session, txn.institution_party_id),
        transaction_id=txn.id,
        direction=FlowDirection(txn.direction),
        amount=txn.amount,
        currency=txn.currency,
        value_date=txn.value_date,
        amount_usd=txn.amount_usd,
        amount_cny=txn.amount_cny,
        status=TransactionStatus(txn.status),
        allocated=txn.allocated,
        netted=txn.netted,
        remainder=txn.remainder,
        reported_at=txn.reported_at,
    )


async def _replay(session: AsyncSession, existing: Transaction, digest: str) -> TransactionOut:
    if existing.fingerprint != digest:
        raise ProblemError(
            REFERENCE_REUSED,
            f"Reference {existing.reference!r} was reported before with other content; use a new reference.",
            errors=[{"pointer": "/body/reference", "detail": "reported before with other content"}],
        )
    return await transaction_out(session, existing)


async def transaction_out(session: AsyncSession, txn: Transaction) -> TransactionOut:
    """A transaction as the API shows it (counterparty masked)."""
    repo = TransactionRepository(session)
    allocations = (await repo.allocations([txn.id])).get(txn.id, [])
    deductions = (await repo.deductions([txn.id])).get(txn.id, [])
    counter = None
    if txn.currency != "CNY":
        rows = await ThresholdRepository(session).counters(
            enterprises=[txn.enterprise_party_id], institution=txn.institution_party_id, year=txn.year
        )
        counter = rows[0] if rows else None
    return TransactionOut(
        id=txn.id,
        reference=txn.reference,
        institution_party_id=txn.institution_party_id,
        enterprise_party_id=txn.enterprise_party_id,
        direction=FlowDirection(txn.direction),
        amount=txn.amount,
        currency=txn.currency,
        value_date=txn.value_date,
        amount_usd=txn.amount_usd,
        amount_cny=txn.amount_cny,
        rate_month=txn.rate_month,
        status=TransactionStatus(txn.status),
        hold_reason=txn.hold_reason,
        payout_reference=txn.payout_reference,
        platform=txn.platform_name,
        end_to_end_id=txn.end_to_end_id,
        counterparty=CounterpartyOut(name=txn.counterparty_masked, country=txn.counterparty_country),
        allocated=txn.allocated,
        netted=txn.netted,
        remainder=txn.remainder,
        settled=txn.settled,
        allocations=[
            AllocationOut(
                document_id=a.document_id,
                order_no=a.order_no,
                amount=a.amount,
                goods_amount=a.goods_amount,
                goods_currency=to_iso(a.goods_currency),
                active=a.active,
            )
            for a in allocations
        ],
        deductions=[
            DeductionOut(kind=DeductionKind(d.kind), amount=d.amount, note=d.note) for d in deductions
        ],
        unmatched_orders=[UnmatchedOut(**u) for u in txn.unmatched_orders],
        threshold=ThresholdOut(
            year=counter.year,
            state=ThresholdState(counter.state),
            receipts_usd=counter.receipts_usd,
            payments_usd=counter.payments_usd,
        )
        if counter is not None
        else None,
        reported_at=txn.reported_at,
    )


async def readable(session: AsyncSession, identity: Identity, transaction_id: str) -> Transaction:
    """A transaction the caller may read (the enterprise, or a granted institution), else 404."""
    txn = await TransactionRepository(session).get(transaction_id)
    if txn is None:
        raise ProblemError(NOT_FOUND, "Not found, or not shared with you.")
    await institutions.require_access(session, identity, txn.enterprise_party_id)
    return txn


async def own(session: AsyncSession, identity: Identity, transaction_id: str) -> Transaction:
    """A transaction the calling institution reported (404 for anyone else's)."""
    institutions.require_institution(identity)
    txn = await TransactionRepository(session).get(transaction_id)
    if txn is None or txn.institution_party_id != identity.party_id:
        raise ProblemError(NOT_FOUND, "No such transaction of yours.")
    return txn


async def _change(
    session: AsyncSession,
    publisher: EventPublisher,
    txn: Transaction,
    status: TransactionStatus,
    reason: str,
    now: dt.datetime,
) -> None:
    previous = TransactionStatus(txn.status)
    txn.status = status.value
    txn.updated_at = now
    await publisher.stage(
        session,
        TransactionStatusChanged(
            party_id=txn.enterprise_party_id,
            institution=await threshold.institution_ref(session, txn.institution_party_id),
            transaction_id=txn.id,
            previous_status=previous,
            status=status,
            reason=reason,
            occurred_at=now,
        ),
        subject=txn.id,
    )


async def release(
    session: AsyncSession, ctx: PaymentsContext, publisher: EventPublisher, txn: Transaction, now: dt.datetime
) -> None:
    """Apply a held transaction once the rule allows it (the enterprise registered); else 409."""
    if txn.status != TransactionStatus.HELD.value:
        raise ProblemError(NOT_HELD, f"The transaction is {txn.status}, not held.")
    counter = await threshold.locked(
        session, txn.enterprise_party_id, txn.institution_party_id, txn.year, now
    )
    decision = threshold.rules.decide(
        await threshold.counter_of(session, counter),
        FlowDirection(txn.direction),
        txn.amount_usd,
        threshold.limits_of(ctx),
    )
    if decision.hold:
        raise ProblemError(NOT_RELEASABLE, f"Still held: {decision.reason}.")
    repo = TransactionRepository(session)
    await repo.delete_allocations(txn.id)
    deductions = [d.amount for d in (await repo.deductions([txn.id])).get(txn.id, [])]
    allocation = await _allocate(session, ctx, txn, deductions)
    await _store_allocation(session, txn, allocation, active=True)
    txn.hold_reason = None
    await _change(session, publisher, txn, TransactionStatus.APPLIED, decision.reason, now)
    await threshold.count(session, publisher, ctx, counter, FlowDirection(txn.direction), txn.amount_usd, now)
    await after_applied(session, ctx, publisher, txn, now)


async def void(
    session: AsyncSession,
    ctx: PaymentsContext,
    publisher: EventPublisher,
    txn: Transaction,
    reason: str,
    now: dt.datetime,
) -> None:
    """Withdraw a held or applied transaction: its allocations, counter share and pending postings go."""
    if txn.status not in (TransactionStatus.HELD.value, TransactionStatus.APPLIED.value):
        raise ProblemError(NOT_HELD, f"A {txn.status} transaction cannot be voided.")
    was_applied = txn.status == TransactionStatus.APPLIED.value
    await TransactionRepository(session).deactivate_allocations(txn.id)
    if was_applied and txn.currency != "CNY":
        counter = await threshold.locked(
            session, txn.enterprise_party_id, txn.institution_party_id, txn.year, now
        )
        await threshold.count(
            session, publisher, ctx, counter, FlowDirection(txn.direction), -txn.amount_usd, now
        )
    await _change(session, publisher, txn, TransactionStatus.VOIDED, reason, now)
    if was_applied:
        await after_voided(session, ctx, publisher, txn, now)


async def register(
    session: AsyncSession,
    ctx: PaymentsContext,
    publisher: EventPublisher,
    identity: Identity,
    body: RegistrationIn,
    now: dt.datetime,
) -> RegistrationOut:
    """Record a directory registration, then release the enterprise's held transactions."""
    institutions.require_institution(identity)
    serves, _ = await InstitutionRepository(session).is_granted(body.enterprise_party_id, identity.party_id)
    if not serves:
        raise ProblemError(
            NOT_SERVED,
            "Record registrations only for enterprises you serve.",
            errors=[{"pointer": "/body/enterprise_party_id", "detail": "not a client of the institution"}],
        )
    new = await threshold.register(
        session,
        publisher,
        ctx,
        identity.party_id,
        body.enterprise_party_id,
        body.registered_on,
        body.safe_reference,
        now,
    )
    released = []
    for txn in await TransactionRepository(session).held(body.enterprise_party_id):
        await release(session, ctx, publisher, txn, now)
        released.append(txn.id)
    stored = await ThresholdRepository(session).registration(body.enterprise_party_id)
    assert stored is not None
    return RegistrationOut(
        enterprise_party_id=stored.enterprise_party_id,
        registered_on=stored.registered_on,
        recorded_by=stored.recorded_by,
        safe_reference=stored.safe_reference,
        newly_recorded=new,
        released=released,
    )


async def mark_reconciled(
    session: AsyncSession, publisher: EventPublisher, transaction_id: str, now: dt.datetime
) -> None:
    """A statement entry confirmed the transaction's money (its postings are posted by the caller)."""
    txn = await TransactionRepository(session).get(transaction_id)
    if txn is not None and txn.status == TransactionStatus.APPLIED.value:
        await _change(
            session, publisher, txn, TransactionStatus.RECONCILED, "confirmed by a bank statement", now
        )
