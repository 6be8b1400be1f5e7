"""SQL of the transactions module."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select, update

from services.payments.base import table_of
from services.payments.transactions.models import Allocation, Deduction, Transaction
from shared.kit.pagination import Keyset, PageRequest
from shared.kit.repository import Repository


class TransactionRepository(Repository):
    """Every statement of the transactions module."""

    async def get(self, transaction_id: str) -> Transaction | None:
        """One transaction."""
        return await self.session.get(Transaction, transaction_id)

    async def by_reference(self, institution: str, reference: str) -> Transaction | None:
        """The transaction an institution reported under ``reference``."""
        return await self.session.scalar(
            select(Transaction).where(
                Transaction.institution_party_id == institution, Transaction.reference == reference
            )
        )

    async def insert(self, row: dict[str, Any]) -> bool:
        """Insert a transaction; False if its (institution, reference) exists (a concurrent replay)."""
        return await self.insert_ignore(table_of(Transaction), row) == 1

    async def add_lines(self, allocations: list[dict[str, Any]], deductions: list[dict[str, Any]]) -> None:
        """A transaction's allocations and deductions."""
        if allocations:
            await self.session.execute(table_of(Allocation).insert(), allocations)
        if deductions:
            await self.session.execute(table_of(Deduction).insert(), deductions)

    async def allocations(self, transaction_ids: Iterable[str]) -> dict[str, list[Allocation]]:
        """Allocations of each transaction, in order."""
        ids = sorted(set(transaction_ids))
        if not ids:
            return {}
        rows = await self.session.scalars(
            select(Allocation).where(Allocation.transaction_id.in_(ids)).order_by(Allocation.seq)
        )
        found: dict[str, list[Allocation]] = {}
        for row in rows:
            found.setdefault(row.transaction_id, []).append(row)
        return found

    async def deductions(self, transaction_ids: Iterable[str]) -> dict[str, list[Deduction]]:
        """Deductions of each transaction, in order."""
        ids = sorted(set(transaction_ids))
        if not ids:
            return {}
        rows = await self.session.scalars(
            select(Deduction).where(Deduction.transaction_id.in_(ids)).order_by(Deduction.seq)
        )
        found: dict[str, list[Deduction]] = {}
        for row in rows:
            found.setdefault(row.transaction_id, []).append(row)
        return found

    async def paid_goods(self, document_ids: Sequence[str]) -> dict[str, Decimal]:
        """Σ active allocations (in the goods' currency) per document."""
        if not document_ids:
            return {}
        rows = await self.session.execute(
            select(Allocation.document_id, Allocation.goods_amount).where(
                Allocation.document_id.in_(list(document_ids)), Allocation.active.is_(True)
            )
        )
        # Summed here: Money is text on SQLite, where SQL SUM would go through floats.
        paid: dict[str, Decimal] = {}
        for document_id, amount in rows:
            paid[document_id] = paid.get(document_id, Decimal(0)) + amount
        return paid

    async def deactivate_allocations(self, transaction_id: str) -> None:
        """A voided transaction pays nothing any more."""
        await self.session.execute(
            update(Allocation).where(Allocation.transaction_id == transaction_id).values(active=False)
        )

    async def delete_allocations(self, transaction_id: str) -> None:
        """Forget a held transaction's preview allocation (it is computed again when applied)."""
        await self.session.execute(delete(Allocation).where(Allocation.transaction_id == transaction_id))

    async def held(self, enterprise: str) -> list[Transaction]:
        """The enterprise's held transactions, oldest first."""
        rows = await self.session.scalars(
            select(Transaction)
            .where(Transaction.enterprise_party_id == enterprise, Transaction.status == "held")
            .order_by(Transaction.reported_at, Transaction.id)
        )
        return list(rows)

    async def page_of(
        self,
        request: PageRequest,
        *,
        enterprises: Sequence[str] | None,
        institution: str | None,
        status: str | None,
        direction: str | None,
    ) -> tuple[list[Transaction], str | None]:
        """A page of transactions, newest first."""
        stmt = select(Transaction)
        if enterprises is not None:
            stmt = stmt.where(Transaction.enterprise_party_id.in_(list(enterprises) or [""]))
        if institution is not None:
            stmt = stmt.where(Transaction.institution_party_id == institution)
        if status is not None:
            stmt = stmt.where(Transaction.status == status)
        if direction is not None:
            stmt = stmt.where(Transaction.direction == direction)
        t = table_of(Transaction)
        keyset = Keyset([t.c.reported_at, t.c.id], ["datetime", "str"])
        return await self.page(stmt, keyset, request, key=lambda r: (r.reported_at, r.id))

    async def of_enterprise_between(self, enterprise: str, start: dt.date, end: dt.date) -> list[Transaction]:
        """An enterprise's transactions with a value date in [start, end)."""
        rows = await self.session.scalars(
            select(Transaction).where(
                Transaction.enterprise_party_id == enterprise,
                Transaction.value_date >= start,
                Transaction.value_date < end,
            )
        )
        return list(rows)

    async def institution_year(self, institution: str, year: int) -> tuple[int, list[Decimal]]:
        """(count, CNY amounts) of an institution's applied online transactions in a year."""
        rows = await self.session.scalars(
            select(Transaction.amount_cny).where(
                Transaction.institution_party_id == institution,
                Transaction.year == year,
                Transaction.online.is_(True),
                Transaction.status.in_(("applied", "reconciled")),
            )
        )
        amounts = list(rows)
        return len(amounts), amounts

    async def count_between(self, enterprise: str, status: str) -> int:
        """How many of the enterprise's transactions are in ``status``."""
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(Transaction)
                .where(Transaction.enterprise_party_id == enterprise, Transaction.status == status)
            )
            or 0
        )
