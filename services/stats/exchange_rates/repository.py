"""Every SQL statement over the statistics' exchange-rate table."""

from __future__ import annotations

from typing import Any

from sqlalchemy import distinct, func, select

from services.stats.base import table_of
from services.stats.exchange_rates.models import ExchangeRate
from shared.kit.repository import Repository


class RateRepository(Repository):
    """``stats_exchange_rates``: one rate per currency and month."""

    async def rates(self, currency: str | None = None) -> list[tuple[Any, str, Any]]:
        """(currency, month, rate) of every stored rate (of one currency, when given)."""
        query = select(ExchangeRate.currency, ExchangeRate.month, ExchangeRate.rate)
        if currency is not None:
            query = query.where(ExchangeRate.currency == currency)
        return [(r.currency, r.month, r.rate) for r in (await self.session.execute(query)).all()]

    async def keep(self, row: dict[str, Any]) -> None:
        """Insert or replace a currency's rate of a month."""
        await self.upsert(table_of(ExchangeRate), row, ("currency", "month"))

    async def count(self) -> int:
        """How many rates are stored."""
        return int(await self.session.scalar(select(func.count()).select_from(ExchangeRate)) or 0)

    async def listing(self) -> list[ExchangeRate]:
        """Every stored rate, by currency and month."""
        stmt = select(ExchangeRate).order_by(ExchangeRate.currency, ExchangeRate.month)
        return list((await self.session.scalars(stmt)).all())

    async def currencies(self) -> list[str]:
        """Currencies with at least one rate."""
        return list((await self.session.scalars(select(distinct(ExchangeRate.currency)))).all())
