"""SQL of the published figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from services.payments.base import table_of
from services.payments.figures.models import FigureRevision
from services.payments.settlement.models import Settlement
from services.payments.transactions.models import Transaction
from shared.kit.repository import Repository


class FigureRepository(Repository):
    """Every statement of the figures module."""

    async def next_revision(self, kind: str, subject: str, period: str, now: dt.datetime) -> int:
        """The revision a new publication of this figure carries (locked: two writers never share one)."""
        table = table_of(FigureRevision)
        await self.insert_ignore(
            table, {"kind": kind, "subject": subject, "period": period, "revision": 0, "updated_at": now}
        )
        row = await self.session.scalar(
            select(FigureRevision)
            .where(
                FigureRevision.kind == kind,
                FigureRevision.subject == subject,
                FigureRevision.period == period,
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        assert row is not None
        row.revision += 1
        row.updated_at = now
        return row.revision

    async def rmb_settlements(self, enterprise: str, start: dt.datetime, end: dt.datetime) -> list[Decimal]:
        """CNY amounts of an enterprise's RMB settlements in [start, end)."""
        rows = await self.session.scalars(
            select(Settlement.amount_cny).where(
                Settlement.enterprise_party_id == enterprise,
                Settlement.kind == "rmb",
                Settlement.settled_at >= start,
                Settlement.settled_at < end,
            )
        )
        return list(rows)

    async def transactions_of(self, enterprise: str, start: dt.date, end: dt.date) -> list[Transaction]:
        """An enterprise's transactions with a value date in [start, end)."""
        rows = await self.session.scalars(
            select(Transaction).where(
                Transaction.enterprise_party_id == enterprise,
                Transaction.value_date >= start,
                Transaction.value_date < end,
            )
        )
        return list(rows)

    async def online_volume(self, institution: str, year: int) -> list[Decimal]:
        """CNY amounts of an institution's applied online transactions of a year."""
        rows = await self.session.scalars(
            select(Transaction.amount_cny).where(
                Transaction.institution_party_id == institution,
                Transaction.year == year,
                Transaction.online.is_(True),
                Transaction.status.in_(("applied", "reconciled")),
            )
        )
        return list(rows)
