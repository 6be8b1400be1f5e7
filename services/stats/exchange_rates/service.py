"""The statistics' exchange-rate table: loading (file or admin API) and lookups.

Rates are customs' monthly conversion rates (CNY per unit). A rate applies from its
month until a later month's rate; the fact records the rate and month it used.
Loading a table re-values the facts it affects (same code path as a new event), so
figures always reflect the table as loaded — and a rebuild gives the same figures.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.exchange_rates.models import ExchangeRate
from services.stats.exchange_rates.repository import RateRepository
from services.stats.facts.rules import RateLookup
from shared.fx import RateTable, UnknownRate
from shared.sqltypes import utcnow


@dataclass(frozen=True)
class RateRow:
    """One line of a rate file."""

    currency: str
    month: str
    rate: Decimal


def parse_rates(text: str) -> list[RateRow]:
    """Rows of a ``currency,month,cny_per_unit`` CSV; ``ValueError`` naming the line if invalid."""
    RateTable.from_csv_text(text)  # the shared parser's checks and messages
    rows: list[RateRow] = []
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    for record in csv.reader(io.StringIO("\n".join(lines))):
        currency, month, raw = (f.strip() for f in record)
        if currency == "currency":
            continue
        rows.append(RateRow(currency, month, Decimal(raw)))
    if not rows:
        raise ValueError("the rate file has no rates")
    return rows


def lookup_from(table: RateTable) -> RateLookup:
    """A :data:`RateLookup` over an in-memory table."""

    def lookup(currency: str, day: dt.date) -> tuple[Decimal, str] | None:
        try:
            return table.rate(currency, day)
        except UnknownRate:
            return None

    return lookup


async def rate_lookup(session: AsyncSession, currency: str | None = None) -> RateLookup:
    """A lookup over the stored rates (of one currency, when given: the common, cheap case)."""
    return lookup_from(RateTable(await RateRepository.from_session(session).rates(currency)))


async def store_rates(session: AsyncSession, rows: list[RateRow], *, source: str, actor: str) -> None:
    """Insert or replace the given rates."""
    now = utcnow()
    repository = RateRepository.from_session(session)
    for row in rows:
        await repository.keep(
            {
                "currency": row.currency,
                "month": row.month,
                "rate": row.rate,
                "source": source[:200],
                "loaded_by": actor[:200],
                "loaded_at": now,
            }
        )


async def seed_default_rates(session: AsyncSession) -> int:
    """Load the platform's default table when the statistics have no rates yet."""
    if await RateRepository.from_session(session).count():
        return 0
    from importlib import resources

    text = resources.files("shared.data").joinpath("exchange_rates.csv").read_text("utf-8")
    rows = parse_rates(text)
    await store_rates(session, rows, source="default table (shared/data/exchange_rates.csv)", actor="system")
    return len(rows)


async def list_rates(session: AsyncSession) -> list[ExchangeRate]:
    """Every stored rate, by currency and month."""
    return await RateRepository.from_session(session).listing()


async def currencies(session: AsyncSession) -> list[str]:
    """Currencies with at least one rate."""
    return await RateRepository.from_session(session).currencies()
