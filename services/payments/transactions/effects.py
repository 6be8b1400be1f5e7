"""What an applied or voided transaction changes elsewhere: the ledger (and the published figures)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.context import PaymentsContext
from services.payments.figures import service as figures
from services.payments.ledger import service as ledger
from services.payments.reconciliation import service as reconciliation
from services.payments.transactions.models import Transaction
from services.payments.transactions.repository import TransactionRepository
from shared.currencies import to_iso
from shared.events.payments import FlowDirection
from shared.messaging.outbox import EventPublisher


async def after_applied(
    session: AsyncSession, ctx: PaymentsContext, publisher: EventPublisher, txn: Transaction, now: dt.datetime
) -> None:
    """A transaction was applied (reported below the threshold, or released): its pending postings."""
    allocations = (await TransactionRepository(session).allocations([txn.id])).get(txn.id, [])
    await ledger.transaction_applied(
        session,
        txn.enterprise_party_id,
        txn.id,
        FlowDirection(txn.direction),
        txn.amount,
        txn.currency,
        txn.netted,
        txn.remainder,
        [
            ledger.AllocationLeg(a.seq, a.amount, a.goods_amount, to_iso(a.goods_currency))
            for a in allocations
            if a.active
        ],
        now,
    )
    await reconciliation.expect_transaction(session, txn, now)
    await figures.transaction_changed(session, publisher, txn, now)


async def after_voided(
    session: AsyncSession, ctx: PaymentsContext, publisher: EventPublisher, txn: Transaction, now: dt.datetime
) -> None:
    """An applied transaction was voided: its pending postings are voided."""
    await ledger.resolve_transaction(session, txn.id, post_them=False, now=now)
    await reconciliation.close_transaction_item(session, txn, now)
    await figures.transaction_changed(session, publisher, txn, now)
