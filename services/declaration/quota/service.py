"""Reserving and giving back a buyer's annual retail import quota (26,000 CNY a calendar year).

Accepted import inventories use the quota, by their dutiable value (Σ totalPrice +
freight + insuredFee — what customs counts); cancellations, deletions before
declaration and customs-accepted returns give it back (:func:`release`, the hook
part 2 calls). The year is the calendar year of acceptance in Beijing time.

Concurrency — two inventories of one buyer racing must not both pass when together
they exceed the limit:

1. the caller holds advisory locks on ``buyer:<hash>:<year>`` (PostgreSQL; SQLite
   serialises writers with ``BEGIN IMMEDIATE``);
2. the quota rows are created if missing (``INSERT … ON CONFLICT DO NOTHING``), then
   read ``FOR UPDATE`` in key order — the row lock alone already makes a second
   transaction wait for the first to commit and read the new total;
3. the decision is made in Python over the message's inventories in index order
   (several inventories of one buyer in a message count cumulatively), and the new
   totals written back.

Amounts are kept in integer units of 0.00001 CNY so that SQL arithmetic is exact on
both databases.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.ceb.tax import QuotaPosition
from services.declaration.quota.models import BuyerQuota, QuotaUsage

BUYER_QUOTAS: Table = BuyerQuota.__table__  # type: ignore[assignment]
QUOTA_USAGES: Table = QuotaUsage.__table__  # type: ignore[assignment]

_E5 = Decimal("0.00001")
HELD = "held"
RELEASED = "released"


def to_e5(amount: Decimal) -> int:
    """CNY → integer units of 0.00001 (the N19,5 precision; more decimals are rounded half-even)."""
    return int(amount.quantize(_E5).scaleb(5))


def from_e5(units: int) -> Decimal:
    """Integer units of 0.00001 CNY → CNY."""
    return Decimal(units).scaleb(-5).quantize(_E5)


def quota_year(moment: dt.datetime) -> int:
    """The calendar year (Beijing time) a purchase at ``moment`` counts in."""
    return moment.astimezone(CUSTOMS_TZ).year


def lock_key(buyer_hash: str, year: int) -> str:
    """The advisory-lock key of one buyer's year."""
    return f"quota:{buyer_hash}:{year}"


@dataclass(frozen=True, slots=True)
class QuotaClaim:
    """An inventory asking for part of a buyer's quota."""

    index: int
    document_id: str
    buyer_hash: str
    year: int
    amount: Decimal
    held_e5: int = 0
    """What the same document holds already (an amendment replaces its own share)."""


async def reserve(
    session: AsyncSession, claims: Sequence[QuotaClaim], annual_limit: Decimal, now: dt.datetime
) -> dict[int, QuotaPosition]:
    """Reserve quota for ``claims``; returns the refused claims' positions by record index."""
    if not claims:
        return {}
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    buyers = sorted({(c.buyer_hash, c.year) for c in claims})
    await session.execute(
        insert(BuyerQuota)
        .values([{"buyer_hash": h, "year": y, "used_e5": 0, "updated_at": now} for h, y in buyers])
        .on_conflict_do_nothing()
    )
    used: dict[tuple[str, int], int] = {}
    for year in sorted({y for _h, y in buyers}):
        rows = await session.execute(
            select(BuyerQuota.buyer_hash, BuyerQuota.used_e5)
            .where(BuyerQuota.year == year, BuyerQuota.buyer_hash.in_([h for h, y in buyers if y == year]))
            .order_by(BuyerQuota.buyer_hash)
            .with_for_update()
        )
        used.update({(h, year): units for h, units in rows.all()})
    limit = to_e5(annual_limit)
    refused: dict[int, QuotaPosition] = {}
    usages: list[dict[str, object]] = []
    changed: set[tuple[str, int]] = set()
    for claim in sorted(claims, key=lambda c: c.index):
        key = (claim.buyer_hash, claim.year)
        amount = to_e5(claim.amount)
        if used[key] - claim.held_e5 + amount > limit:
            refused[claim.index] = QuotaPosition(
                annual_limit, from_e5(used[key] - claim.held_e5), claim.amount
            )
            continue
        used[key] += amount - claim.held_e5
        changed.add(key)
        usages.append(
            {
                "document_id": claim.document_id,
                "buyer_hash": claim.buyer_hash,
                "year": claim.year,
                "amount_e5": amount,
                "status": HELD,
                "reserved_at": now,
            }
        )
    if changed:
        # Core table, not the ORM class: a plain executemany with our own WHERE.
        table = BUYER_QUOTAS
        await session.execute(
            update(table)
            .where(table.c.buyer_hash == bindparam("h"), table.c.year == bindparam("y"))
            .values(used_e5=bindparam("u"), updated_at=now),
            [{"h": h, "y": y, "u": used[(h, y)]} for h, y in sorted(changed)],
        )
    if usages:
        usage_table = QUOTA_USAGES
        replaced = [c.document_id for c in claims if c.held_e5 and c.index not in refused]
        if replaced:
            await session.execute(usage_table.delete().where(usage_table.c.document_id.in_(replaced)))
        await session.execute(insert(usage_table), usages)
    return refused


async def held_by(session: AsyncSession, document_ids: Iterable[str]) -> dict[str, tuple[str, int, int]]:
    """``{document_id: (buyer_hash, year, units)}`` of the quota these inventories hold now."""
    ids = sorted(set(document_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(QuotaUsage.document_id, QuotaUsage.buyer_hash, QuotaUsage.year, QuotaUsage.amount_e5).where(
            QuotaUsage.document_id.in_(ids), QuotaUsage.status == HELD
        )
    )
    return {doc: (buyer, year, units) for doc, buyer, year, units in rows.all()}


async def release(
    session: AsyncSession, document_ids: Iterable[str], reason: str, now: dt.datetime
) -> Decimal:
    """Give back the quota held by these inventories (idempotent); returns the CNY released.

    Called for deletions before declaration now, and by part 2 when customs accepts a
    cancellation (CEB624) or a return (CEB626).
    """
    ids = sorted(set(document_ids))
    if not ids:
        return Decimal(0)
    rows = (
        await session.execute(
            select(QuotaUsage.document_id, QuotaUsage.buyer_hash, QuotaUsage.year, QuotaUsage.amount_e5)
            .where(QuotaUsage.document_id.in_(ids), QuotaUsage.status == HELD)
            .order_by(QuotaUsage.document_id)
            .with_for_update()
        )
    ).all()
    if not rows:
        return Decimal(0)
    per_buyer: dict[tuple[str, int], int] = defaultdict(int)
    for _doc, buyer_hash, year, amount in rows:
        per_buyer[(buyer_hash, year)] += amount
    for (buyer_hash, year), amount in sorted(per_buyer.items()):
        # Relative update: exact integer arithmetic, no read-modify-write race.
        await session.execute(
            update(BuyerQuota)
            .where(BuyerQuota.buyer_hash == buyer_hash, BuyerQuota.year == year)
            .values(used_e5=BuyerQuota.used_e5 - amount, updated_at=now)
        )
    await session.execute(
        update(QuotaUsage)
        .where(QuotaUsage.document_id.in_([row[0] for row in rows]))
        .values(status=RELEASED, released_at=now, release_reason=reason[:200])
    )
    return from_e5(sum(per_buyer.values()))


async def used_in_year(session: AsyncSession, buyer_hash: str, year: int) -> Decimal:
    """What a buyer has used in ``year`` (0 if nothing)."""
    units = await session.scalar(
        select(BuyerQuota.used_e5).where(BuyerQuota.buyer_hash == buyer_hash, BuyerQuota.year == year)
    )
    return from_e5(units or 0)
