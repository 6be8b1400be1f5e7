"""Recording settlements: checked, stored once per reference, booked, published."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.figures import service as figures
from services.payments.institutions import rules as licence_rules
from services.payments.institutions import service as institutions
from services.payments.ledger import service as ledger
from services.payments.settlement import rules
from services.payments.settlement.models import Settlement
from services.payments.settlement.repository import SettlementRepository
from services.payments.settlement.schemas import SettlementIn, SettlementOut
from services.payments.threshold.service import institution_ref
from services.payments.transactions.models import Transaction
from services.payments.transactions.problems import NOT_HELD, REFERENCE_REUSED
from shared.events.payments import SettlementKind, SettlementRecorded
from shared.identity import Identity
from shared.messaging.outbox import EventPublisher
from shared.problems import VALIDATION_FAILED, ProblemError

BEIJING = dt.timezone(dt.timedelta(hours=8))


def out(row: Settlement) -> SettlementOut:
    """A settlement as the API shows it."""
    return SettlementOut(
        id=row.id,
        reference=row.reference,
        transaction_id=row.transaction_id,
        enterprise_party_id=row.enterprise_party_id,
        kind=SettlementKind(row.kind),
        amount=row.amount,
        currency=row.currency,
        rate=row.rate,
        amount_cny=row.amount_cny,
        settled_at=row.settled_at,
    )


async def record(
    session: AsyncSession,
    publisher: EventPublisher,
    identity: Identity,
    txn: Transaction,
    body: SettlementIn,
    now: dt.datetime,
) -> tuple[Settlement, bool]:
    """Settle (part of) a receipt the caller reported; (settlement, created)."""
    repo = SettlementRepository(session)
    fingerprint = hashlib.sha256(
        json.dumps(body.model_dump(mode="json") | {"transaction": txn.id}, sort_keys=True).encode()
    ).hexdigest()
    existing = await repo.by_reference(identity.party_id, body.reference)
    if existing is not None:
        if existing.fingerprint != fingerprint:
            raise ProblemError(
                REFERENCE_REUSED,
                "This settlement reference was recorded before with other content.",
                errors=[{"pointer": "/body/reference", "detail": "recorded before with other content"}],
            )
        return existing, False
    if txn.direction != "receipt" or txn.status not in ("applied", "reconciled"):
        raise ProblemError(
            NOT_HELD, f"Only applied receipts are settled; this is a {txn.status} {txn.direction}."
        )
    profile = await institutions.own_profile(session, identity)
    may_rmb = licence_rules.may_settle_rmb(institutions.licence_of(profile), now.date())
    amount_cny = body.amount if body.kind is SettlementKind.RMB else body.amount_cny
    rate = Decimal(1) if body.kind is SettlementKind.RMB else body.rate
    found = rules.problems(
        body.kind, txn.currency, body.amount, rate, amount_cny, txn.settled, txn.amount, may_rmb
    )
    if found:
        raise ProblemError(
            VALIDATION_FAILED, f"The settlement is refused: {found[0]['detail']}.", errors=found
        )
    assert amount_cny is not None and rate is not None
    settlement_id = f"set_{uuid.uuid4().hex[:24]}"
    row = {
        "id": settlement_id,
        "institution_party_id": identity.party_id,
        "reference": body.reference,
        "fingerprint": fingerprint,
        "transaction_id": txn.id,
        "enterprise_party_id": txn.enterprise_party_id,
        "kind": body.kind.value,
        "amount": body.amount,
        "currency": txn.currency,
        "rate": rate,
        "amount_cny": amount_cny,
        "settled_at": body.settled_at,
        "recorded_at": now,
    }
    if not await repo.add(row):
        stored = await repo.by_reference(identity.party_id, body.reference)
        assert stored is not None
        return stored, False
    txn.settled = txn.settled + body.amount
    await ledger.settled(
        session,
        txn.enterprise_party_id,
        settlement_id,
        body.kind.value,
        body.amount,
        txn.currency,
        amount_cny,
        now,
    )
    await publisher.stage(
        session,
        SettlementRecorded(
            party_id=txn.enterprise_party_id,
            institution=await institution_ref(session, identity.party_id),
            transaction_id=txn.id,
            settlement_id=settlement_id,
            kind=body.kind,
            amount=body.amount,
            currency=txn.currency,
            amount_cny=amount_cny,
            rate=rate,
            settled_at=body.settled_at,
        ),
        subject=txn.id,
    )
    if body.kind is SettlementKind.RMB:
        year = body.settled_at.astimezone(BEIJING).year
        await figures.publish_rmb_year(session, publisher, txn.enterprise_party_id, year, now)
    stored = await repo.get(settlement_id)
    assert stored is not None
    return stored, True
