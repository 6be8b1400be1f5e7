"""Reserving and giving back a buyer's annual retail import quota (26,000 CNY a calendar year).

Accepted import inventories use the quota, by their dutiable value (Σ totalPrice +
freight + insuredFee — what customs counts); cancellations, deletions before
declaration and customs-accepted returns give it back (:func:`release`, the hook
the customs exchange calls). The year is the calendar year of acceptance in Beijing time.
The limits and the decision are :mod:`.rules`; the statements :mod:`.repository`.

Concurrency — two inventories of one buyer racing must not both pass when together
they exceed the limit:

1. the caller holds advisory locks on ``quota:<hash>:<year>`` (PostgreSQL; SQLite
   serialises writers with ``BEGIN IMMEDIATE``);
2. the common case — each buyer once, nothing held already — is one conditional upsert
   that adds the amount only while the total stays within the limit, on the row it locks;
3. otherwise one upsert creates the missing quota rows, locks every row in key order and
   returns the latest committed totals (the row lock alone already makes a second
   transaction wait for the first to commit and read its new total); the claims are
   decided in index order (:func:`.rules.decide_claims`) and the new totals written back.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.declaration.quota.repository import HELD, QuotaRepository
from services.declaration.quota.rules import (
    BuyerYear,
    QuotaClaim,
    QuotaLimits,
    QuotaPosition,
    decide_claims,
    from_e5,
    once_per_buyer,
    to_e5,
)


def _usage(claim: QuotaClaim, now: dt.datetime) -> dict[str, object]:
    return {
        "document_id": claim.document_id,
        "buyer_hash": claim.buyer_hash,
        "year": claim.year,
        "amount_e5": to_e5(claim.amount),
        "status": HELD,
        "reserved_at": now,
    }


async def reserve(
    session: AsyncSession, claims: Sequence[QuotaClaim], limits: QuotaLimits, now: dt.datetime
) -> dict[int, QuotaPosition]:
    """Reserve quota for ``claims``; returns the refused claims' positions by record index."""
    if not claims:
        return {}
    repository = QuotaRepository.from_session(session)
    if once_per_buyer(claims):
        return await _reserve_once_per_buyer(repository, claims, limits, now)
    used = await repository.lock_totals((c.key for c in claims), now)
    decision = decide_claims(claims, used, limits)
    await repository.write_totals(decision.totals, now)
    if decision.granted:
        await repository.drop_usages(c.document_id for c in decision.granted if c.held_e5)
        await repository.add_usages([_usage(c, now) for c in decision.granted])
    return decision.refused


async def _reserve_once_per_buyer(
    repository: QuotaRepository, claims: Sequence[QuotaClaim], limits: QuotaLimits, now: dt.datetime
) -> dict[int, QuotaPosition]:
    """Each buyer once, nothing held: one conditional upsert grants what fits."""
    limit = to_e5(limits.annual)
    fitting = {c.key: to_e5(c.amount) for c in claims if to_e5(c.amount) <= limit}
    granted = await repository.claim_within(fitting, limit, now)
    refused: dict[int, QuotaPosition] = {}
    for claim in claims:
        if claim.key not in granted:
            used = from_e5(await repository.used_e5(claim.key))
            refused[claim.index] = QuotaPosition(limits.annual, used, claim.amount)
    await repository.add_usages([_usage(c, now) for c in claims if c.key in granted])
    return refused


async def held_by(session: AsyncSession, document_ids: Iterable[str]) -> dict[str, tuple[str, int, int]]:
    """``{document_id: (buyer_hash, year, units)}`` of the quota these inventories hold now."""
    held = await QuotaRepository.from_session(session).held(document_ids)
    return {doc: (buyer, year, units) for doc, buyer, year, units in held}


async def release(
    session: AsyncSession, document_ids: Iterable[str], reason: str, now: dt.datetime
) -> Decimal:
    """Give back the quota held by these inventories (idempotent); returns the CNY released.

    Called for deletions before declaration, and by the customs exchange when customs
    rejects, refuses or returns an inventory or accepts a cancellation or a full return.
    """
    repository = QuotaRepository.from_session(session)
    held = await repository.held(document_ids, for_update=True)
    if not held:
        return Decimal(0)
    per_buyer: dict[BuyerYear, int] = defaultdict(int)
    for _doc, buyer_hash, year, amount in held:
        per_buyer[(buyer_hash, year)] += amount
    for key, amount in sorted(per_buyer.items()):
        await repository.subtract(key, amount, now)
    await repository.mark_released([doc for doc, *_ in held], reason, now)
    return from_e5(sum(per_buyer.values()))


async def release_part(
    session: AsyncSession, document_id: str, amount: Decimal, reason: str, now: dt.datetime
) -> Decimal:
    """Give back part of what an inventory holds (a partial return); returns the CNY released.

    The inventory's usage shrinks by ``amount`` (at most what it holds) and the buyer's
    year total with it; a usage that reaches zero is marked released like :func:`release`
    would. Not idempotent by itself: the caller releases once per customs-accepted return.
    """
    repository = QuotaRepository.from_session(session)
    held = await repository.held([document_id], for_update=True)
    if not held:
        return Decimal(0)
    _doc, buyer_hash, year, units_held = held[0]
    units = min(to_e5(amount), units_held)
    if units <= 0:
        return Decimal(0)
    await repository.subtract((buyer_hash, year), units, now)
    if units_held - units == 0:
        await repository.shrink_usage(document_id, 0)
        await repository.mark_released([document_id], reason, now)
    else:
        await repository.shrink_usage(document_id, units_held - units)
    return from_e5(units)


async def used_in_year(session: AsyncSession, buyer_hash: str, year: int) -> Decimal:
    """What a buyer has used in ``year`` (0 if nothing)."""
    return from_e5(await QuotaRepository.from_session(session).used_e5((buyer_hash, year)))


__all__ = ["held_by", "release", "release_part", "reserve", "used_in_year"]
