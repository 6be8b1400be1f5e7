"""Every statement on the quota tables (``buyer_quotas``, ``quota_usages``).

Amounts are integer units of 0.00001 CNY, so SQL arithmetic is exact on both databases.
The multi-row statements are built once per database kind and executed with a list of
rows (no per-call compiling).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import Table, literal_column, select, update

from services.declaration.quota.models import BuyerQuota, QuotaLookup, QuotaUsage
from services.declaration.quota.rules import BuyerYear
from shared.kit.repository import Repository
from shared.kit.sql import upsert_statement

BUYER_QUOTAS: Table = BuyerQuota.__table__  # type: ignore[assignment]
QUOTA_USAGES: Table = QuotaUsage.__table__  # type: ignore[assignment]
QUOTA_LOOKUPS: Table = QuotaLookup.__table__  # type: ignore[assignment]

HELD = "held"
RELEASED = "released"

#: ``(document_id, buyer_hash, year, amount_e5)`` of a usage still held.
HeldUsage = tuple[str, str, int, int]


@cache
def _statements(dialect: str) -> tuple[Any, Any]:
    """``lock``: create missing rows, lock every row and return the latest committed total;
    ``write``: set the new totals."""
    key = ["buyer_hash", "year"]
    lock = upsert_statement(
        dialect,
        BUYER_QUOTAS,
        key,
        replace=["updated_at"],
        returning=[BUYER_QUOTAS.c.buyer_hash, BUYER_QUOTAS.c.year, BUYER_QUOTAS.c.used_e5],
    )
    write = upsert_statement(dialect, BUYER_QUOTAS, key, replace=["used_e5", "updated_at"])
    return lock, write


@cache
def _claim_statement(dialect: str, limit_e5: int) -> Any:
    """Add an amount only while ``used + amount ≤ limit``, returning the rows it added to."""
    # The limit is configured (an int), rendered inline so every row of an executemany shares it.
    limit: Any = literal_column(str(int(limit_e5)))
    return upsert_statement(
        dialect,
        BUYER_QUOTAS,
        ["buyer_hash", "year"],
        replace=["updated_at"],
        add=["used_e5"],
        where=lambda new: BUYER_QUOTAS.c.used_e5 + new.used_e5 <= limit,
        returning=[BUYER_QUOTAS.c.buyer_hash, BUYER_QUOTAS.c.year],
    )


class QuotaRepository(Repository):
    """Buyers' yearly totals and the usage each inventory holds."""

    async def claim_within(
        self, amounts: Mapping[BuyerYear, int], limit_e5: int, now: dt.datetime
    ) -> set[BuyerYear]:
        """Add each amount to its buyer's year where the total stays within ``limit_e5``
        (checked inside the upsert, on the row it locks); the buyers' years it was added to."""
        if not amounts:
            return set()
        result = await self.session.execute(
            _claim_statement(self.dialect, limit_e5),
            [
                {"buyer_hash": h, "year": y, "used_e5": units, "updated_at": now}
                for (h, y), units in sorted(amounts.items())
            ],
        )
        return {(h, y) for h, y in result.all()}

    async def lock_totals(self, keys: Iterable[BuyerYear], now: dt.datetime) -> dict[BuyerYear, int]:
        """Create the missing rows, lock every row (in key order) and read the latest committed totals.

        An upsert waits for a concurrent writer of the row, so the totals include its claim.
        """
        lock, _write = _statements(self.dialect)
        rows = [{"buyer_hash": h, "year": y, "used_e5": 0, "updated_at": now} for h, y in sorted(set(keys))]
        if not rows:
            return {}
        locked = await self.session.execute(lock, rows)
        return {(h, y): units for h, y, units in locked.all()}

    async def write_totals(self, totals: Mapping[BuyerYear, int], now: dt.datetime) -> None:
        """Set buyers' yearly totals."""
        if totals:
            _lock, write = _statements(self.dialect)
            await self.session.execute(
                write,
                [
                    {"buyer_hash": h, "year": y, "used_e5": units, "updated_at": now}
                    for (h, y), units in sorted(totals.items())
                ],
            )

    async def subtract(self, key: BuyerYear, units: int, now: dt.datetime) -> None:
        """Take ``units`` off a buyer's year (relative: exact, no read-modify-write race)."""
        buyer_hash, year = key
        await self.session.execute(
            update(BuyerQuota)
            .where(BuyerQuota.buyer_hash == buyer_hash, BuyerQuota.year == year)
            .values(used_e5=BuyerQuota.used_e5 - units, updated_at=now)
        )

    async def used_e5(self, key: BuyerYear) -> int:
        """What a buyer has used in a year (0 if nothing)."""
        buyer_hash, year = key
        units = await self.session.scalar(
            select(BuyerQuota.used_e5).where(BuyerQuota.buyer_hash == buyer_hash, BuyerQuota.year == year)
        )
        return int(units or 0)

    async def add_usages(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Record what inventories hold (one statement)."""
        if rows:
            await self.session.execute(QUOTA_USAGES.insert(), [dict(row) for row in rows])

    async def drop_usages(self, document_ids: Iterable[str]) -> None:
        """Forget the usages of these inventories (an amendment writes its new one)."""
        ids = sorted(set(document_ids))
        if ids:
            await self.session.execute(QUOTA_USAGES.delete().where(QUOTA_USAGES.c.document_id.in_(ids)))

    async def held(self, document_ids: Iterable[str], *, for_update: bool = False) -> list[HeldUsage]:
        """The usages these inventories still hold, in document order (locked with ``for_update``)."""
        ids = sorted(set(document_ids))
        if not ids:
            return []
        stmt = (
            select(QuotaUsage.document_id, QuotaUsage.buyer_hash, QuotaUsage.year, QuotaUsage.amount_e5)
            .where(QuotaUsage.document_id.in_(ids), QuotaUsage.status == HELD)
            .order_by(QuotaUsage.document_id)
        )
        if for_update:
            stmt = stmt.with_for_update()
        return [
            (doc, buyer, year, units) for doc, buyer, year, units in (await self.session.execute(stmt)).all()
        ]

    async def mark_released(self, document_ids: Sequence[str], reason: str, now: dt.datetime) -> None:
        """Usages given back in full."""
        if document_ids:
            await self.session.execute(
                update(QuotaUsage)
                .where(QuotaUsage.document_id.in_(list(document_ids)))
                .values(status=RELEASED, released_at=now, release_reason=reason[:200])
            )

    async def shrink_usage(self, document_id: str, remaining_e5: int) -> None:
        """What an inventory holds after part of it went back."""
        await self.session.execute(
            update(QuotaUsage).where(QuotaUsage.document_id == document_id).values(amount_e5=remaining_e5)
        )

    async def add_lookup(self, row: Mapping[str, Any]) -> None:
        """Audit one quota-left lookup."""
        await self.session.execute(QUOTA_LOOKUPS.insert(), [dict(row)])


__all__ = ["HELD", "RELEASED", "HeldUsage", "QuotaRepository"]
