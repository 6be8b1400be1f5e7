"""Reserving and giving back a buyer's annual retail import quota (26,000 CNY a calendar year).

Accepted import inventories use the quota, by their dutiable value (Σ totalPrice +
freight + insuredFee — what customs counts); cancellations, deletions before
declaration and customs-accepted returns give it back (:func:`release`, the hook
part 2 calls). The year is the calendar year of acceptance in Beijing time.

Concurrency — two inventories of one buyer racing must not both pass when together
they exceed the limit:

1. the caller holds advisory locks on ``buyer:<hash>:<year>`` (PostgreSQL; SQLite
   serialises writers with ``BEGIN IMMEDIATE``);
2. one upsert creates the missing quota rows, locks every row in key order and
   returns the latest committed totals (``INSERT … ON CONFLICT DO UPDATE … RETURNING``:
   the row lock alone already makes a second transaction wait for the first to commit
   and read its new total);
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
from functools import cache
from typing import Any

from sqlalchemy import Table, literal_column, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.ceb.tax import QuotaPosition
from services.declaration.quota.models import BuyerQuota, QuotaUsage
from shared.kit.sql import upsert_statement

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


@cache
def _statements(dialect: str, limit_e5: int) -> tuple[Any, Any, Any]:
    """Upserts built once per database kind, executed with a list of rows (no per-call compiling).

    * ``lock``: create missing rows, lock every row and return the latest committed total;
    * ``write``: set the new totals;
    * ``claim``: add an amount only while ``used + amount ≤ limit`` (the common case).
    """
    key = ["buyer_hash", "year"]
    lock = upsert_statement(
        dialect,
        BUYER_QUOTAS,
        key,
        replace=["updated_at"],
        returning=[BUYER_QUOTAS.c.buyer_hash, BUYER_QUOTAS.c.year, BUYER_QUOTAS.c.used_e5],
    )
    write = upsert_statement(dialect, BUYER_QUOTAS, key, replace=["used_e5", "updated_at"])
    # The limit is a setting (an int), rendered inline so every row of an executemany shares it.
    limit: Any = literal_column(str(int(limit_e5)))
    claim = upsert_statement(
        dialect,
        BUYER_QUOTAS,
        key,
        replace=["updated_at"],
        add=["used_e5"],
        where=lambda new: BUYER_QUOTAS.c.used_e5 + new.used_e5 <= limit,
        returning=[BUYER_QUOTAS.c.buyer_hash, BUYER_QUOTAS.c.year],
    )
    return lock, write, claim


async def reserve(
    session: AsyncSession, claims: Sequence[QuotaClaim], annual_limit: Decimal, now: dt.datetime
) -> dict[int, QuotaPosition]:
    """Reserve quota for ``claims``; returns the refused claims' positions by record index."""
    if not claims:
        return {}
    limit = to_e5(annual_limit)
    lock, write, claim_stmt = _statements(session.get_bind().dialect.name, limit)
    if all(c.held_e5 == 0 for c in claims) and len({(c.buyer_hash, c.year) for c in claims}) == len(claims):
        return await _reserve_once_per_buyer(session, claims, annual_limit, now, claim_stmt)
    buyers = sorted({(c.buyer_hash, c.year) for c in claims})
    # One statement creates the missing rows, locks every row (in key order) and reads
    # the latest committed totals: an upsert waits for a concurrent writer of the row.
    locked = await session.execute(
        lock, [{"buyer_hash": h, "year": y, "used_e5": 0, "updated_at": now} for h, y in buyers]
    )
    used: dict[tuple[str, int], int] = {(h, y): units for h, y, units in locked.all()}
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
        usages.append(_usage(claim, now))
    if changed:
        await session.execute(
            write,
            [
                {"buyer_hash": h, "year": y, "used_e5": used[(h, y)], "updated_at": now}
                for h, y in sorted(changed)
            ],
        )
    if usages:
        replaced = [c.document_id for c in claims if c.held_e5 and c.index not in refused]
        if replaced:
            await session.execute(QUOTA_USAGES.delete().where(QUOTA_USAGES.c.document_id.in_(replaced)))
        await session.execute(insert_usages(session), usages)
    return refused


def _usage(claim: QuotaClaim, now: dt.datetime) -> dict[str, object]:
    return {
        "document_id": claim.document_id,
        "buyer_hash": claim.buyer_hash,
        "year": claim.year,
        "amount_e5": to_e5(claim.amount),
        "status": HELD,
        "reserved_at": now,
    }


def insert_usages(_session: AsyncSession) -> Any:
    """The usage INSERT (executed with a list of rows)."""
    return QUOTA_USAGES.insert()


async def _reserve_once_per_buyer(
    session: AsyncSession,
    claims: Sequence[QuotaClaim],
    annual_limit: Decimal,
    now: dt.datetime,
    claim_stmt: Any,
) -> dict[int, QuotaPosition]:
    """The common case — each buyer once, nothing held already — in one conditional upsert.

    ``used + amount ≤ limit`` is checked inside the upsert, on the row it locks, so
    a concurrent claim for the same buyer waits and is then checked against the new total.
    """
    limit = to_e5(annual_limit)
    fits = sorted((c for c in claims if to_e5(c.amount) <= limit), key=lambda c: (c.buyer_hash, c.year))
    granted: set[tuple[str, int]] = set()
    if fits:
        result = await session.execute(
            claim_stmt,
            [
                {"buyer_hash": c.buyer_hash, "year": c.year, "used_e5": to_e5(c.amount), "updated_at": now}
                for c in fits
            ],
        )
        granted = {(h, y) for h, y in result.all()}
    refused: dict[int, QuotaPosition] = {}
    for claim in claims:
        if (claim.buyer_hash, claim.year) not in granted:
            used = await used_in_year(session, claim.buyer_hash, claim.year)
            refused[claim.index] = QuotaPosition(annual_limit, used, claim.amount)
    usages = [_usage(c, now) for c in claims if (c.buyer_hash, c.year) in granted]
    if usages:
        await session.execute(insert_usages(session), usages)
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


async def release_part(
    session: AsyncSession, document_id: str, amount: Decimal, reason: str, now: dt.datetime
) -> Decimal:
    """Give back part of what an inventory holds (a partial return); returns the CNY released.

    The inventory's usage shrinks by ``amount`` (at most what it holds) and the buyer's
    year total with it; a usage that reaches zero is marked released like :func:`release`
    would. Not idempotent by itself: the caller releases once per customs-accepted return.
    """
    row = (
        await session.execute(
            select(QuotaUsage.buyer_hash, QuotaUsage.year, QuotaUsage.amount_e5)
            .where(QuotaUsage.document_id == document_id, QuotaUsage.status == HELD)
            .with_for_update()
        )
    ).first()
    if row is None:
        return Decimal(0)
    buyer_hash, year, held = row
    units = min(to_e5(amount), held)
    if units <= 0:
        return Decimal(0)
    await session.execute(
        update(BuyerQuota)
        .where(BuyerQuota.buyer_hash == buyer_hash, BuyerQuota.year == year)
        .values(used_e5=BuyerQuota.used_e5 - units, updated_at=now)
    )
    values: dict[str, Any] = {"amount_e5": held - units}
    if held - units == 0:
        values.update(status=RELEASED, released_at=now, release_reason=reason[:200])
    await session.execute(update(QuotaUsage).where(QuotaUsage.document_id == document_id).values(**values))
    return from_e5(units)


async def used_in_year(session: AsyncSession, buyer_hash: str, year: int) -> Decimal:
    """What a buyer has used in ``year`` (0 if nothing)."""
    units = await session.scalar(
        select(BuyerQuota.used_e5).where(BuyerQuota.buyer_hash == buyer_hash, BuyerQuota.year == year)
    )
    return from_e5(units or 0)
