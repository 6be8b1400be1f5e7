"""Customs monthly exchange rates (CNY per unit of a currency) as the statistics use them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from services.stats.base import Base
from shared.sqltypes import Money, UTCDateTime


class ExchangeRate(Base):
    """The rate of ``currency`` from ``month`` on (until a later month's rate)."""

    __tablename__ = "stats_exchange_rates"

    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    rate: Mapped[Decimal] = mapped_column(Money)
    source: Mapped[str] = mapped_column(String(200))
    loaded_by: Mapped[str] = mapped_column(String(200))
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
