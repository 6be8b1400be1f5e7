"""What an applied or voided transaction changes elsewhere: the ledger and the published figures."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.context import PaymentsContext
from services.payments.transactions.models import Transaction
from shared.messaging.outbox import EventPublisher


async def after_applied(
    session: AsyncSession, ctx: PaymentsContext, publisher: EventPublisher, txn: Transaction, now: dt.datetime
) -> None:
    """A transaction was applied (reported below the threshold, or released)."""


async def after_voided(
    session: AsyncSession, ctx: PaymentsContext, publisher: EventPublisher, txn: Transaction, now: dt.datetime
) -> None:
    """An applied transaction was voided."""
