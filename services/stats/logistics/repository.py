"""SQL of the statistics' logistics figures."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import aliased

from services.stats.base import table_of
from services.stats.logistics.models import ClaimFigures, Journey, LogisticsCost
from shared.kit.repository import Repository


class LogisticsStatsRepository(Repository):
    """Every statement of the module."""

    async def keep_journey(self, row: dict[str, Any]) -> None:
        """Store the figures unless a higher revision is stored already (duplicates, reordering)."""
        table = table_of(Journey)
        await self.upsert(
            table,
            row,
            ("shipment_id",),
            where=lambda excluded: table.c.revision < excluded.revision,
        )

    async def keep_claim(self, row: dict[str, Any]) -> None:
        """Store a claim's figures unless a higher revision is stored already."""
        table = table_of(ClaimFigures)
        await self.upsert(
            table,
            row,
            ("claim_id",),
            where=lambda excluded: table.c.revision < excluded.revision,
        )

    async def claim(self, claim_id: str) -> ClaimFigures | None:
        """The stored claim, or None."""
        return await self.session.get(ClaimFigures, claim_id)

    async def claims_of_year(self, year: int, party_id: str | None) -> Sequence[ClaimFigures]:
        """The claims submitted in ``year`` (Beijing calendar; optionally one claimant's)."""
        stmt = select(ClaimFigures).where(ClaimFigures.year == year)
        if party_id is not None:
            stmt = stmt.where(ClaimFigures.claimant_party_id == party_id)
        return (await self.session.execute(stmt.order_by(ClaimFigures.claim_id))).scalars().all()

    async def journeys_per_carrier(self, year: int, party_id: str | None) -> dict[str, int]:
        """Journeys that started in ``year`` per carrier of their border-crossing leg."""
        stmt = (
            select(Journey.carrier_code, func.count())
            .where(Journey.month.like(f"{year:04d}-%"), Journey.carrier_code.is_not(None))
            .group_by(Journey.carrier_code)
        )
        if party_id is not None:
            stmt = stmt.where(Journey.enterprise_party_id == party_id)
        return {code: int(n) for code, n in await self.session.execute(stmt) if code is not None}

    async def add_cost(self, row: dict[str, Any]) -> None:
        """Store a recorded cost once (a redelivered event changes nothing)."""
        await self.insert_ignore(table_of(LogisticsCost), [row])

    async def journeys(
        self, months: Sequence[str], direction: str | None, party_id: str | None
    ) -> Sequence[Journey]:
        """The journeys that started in ``months`` (optionally of one direction or enterprise)."""
        stmt = select(Journey).where(Journey.month.in_(list(months)))
        if direction is not None:
            stmt = stmt.where(Journey.direction == direction)
        if party_id is not None:
            stmt = stmt.where(Journey.enterprise_party_id == party_id)
        return (await self.session.execute(stmt.order_by(Journey.shipment_id))).scalars().all()

    def _standing(self) -> Any:
        """The costs that stand: not voided, and not superseded by any later record."""
        later = aliased(LogisticsCost)
        return and_(
            LogisticsCost.voided.is_(False),
            ~exists().where(later.supersedes == LogisticsCost.cost_id),
        )

    async def international_freight(self, year: int) -> dict[str, Decimal]:
        """CNY of standing international freight per enterprise incurred in ``year``."""
        rows = await self.session.execute(
            select(LogisticsCost.enterprise_party_id, func.sum(LogisticsCost.amount_cny))
            .where(
                LogisticsCost.year == year,
                LogisticsCost.kind == "international_freight",
                LogisticsCost.enterprise_party_id.is_not(None),
                self._standing(),
            )
            .group_by(LogisticsCost.enterprise_party_id)
        )
        return {party: Decimal(total) for party, total in rows if party is not None}

    async def costs_of_year(self, year: int, party_id: str | None) -> dict[str, tuple[Decimal, Decimal, int]]:
        """Per enterprise: (international freight CNY, other CNY, shipments) of the standing
        costs incurred in ``year``."""
        freight = case((LogisticsCost.kind == "international_freight", LogisticsCost.amount_cny), else_=0)
        other = case((LogisticsCost.kind != "international_freight", LogisticsCost.amount_cny), else_=0)
        stmt = (
            select(
                LogisticsCost.enterprise_party_id,
                func.sum(freight),
                func.sum(other),
                func.count(func.distinct(LogisticsCost.shipment_id)),
            )
            .where(
                LogisticsCost.year == year, LogisticsCost.enterprise_party_id.is_not(None), self._standing()
            )
            .group_by(LogisticsCost.enterprise_party_id)
            .order_by(LogisticsCost.enterprise_party_id)
        )
        if party_id is not None:
            stmt = stmt.where(LogisticsCost.enterprise_party_id == party_id)
        rows = await self.session.execute(stmt)
        return {p: (Decimal(f), Decimal(o), n) for p, f, o, n in rows if p is not None}
