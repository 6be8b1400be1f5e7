"""The fact table: one row per customs inventory the statistics know about.

A row holds the document's *current contribution* to the figures (zero when it
does not count) — derived from the document's events by :mod:`.rules` — so a new
event is applied as "remove the old contribution, add the new one" to every
aggregate. Money is integer fen so sums are exact on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, Boolean, Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.stats.base import Base
from shared.sqltypes import Money, UTCDateTime


class Fact(Base):
    """A released (or cleared) inventory and what it adds to the statistics."""

    __tablename__ = "stats_facts"

    document_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    party_id: Mapped[str] = mapped_column(String(64))
    message_type: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(32), doc="effective lifecycle status (highest rank seen)")
    counted: Mapped[bool] = mapped_column(Boolean)
    counted_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    business_day: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    mode: Mapped[str] = mapped_column(String(4))
    direction: Mapped[str] = mapped_column(String(6))
    country: Mapped[str] = mapped_column(String(3))
    district: Mapped[str] = mapped_column(String(64))
    park: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    documents: Mapped[int] = mapped_column(Integer)
    orders: Mapped[int] = mapped_column(Integer)
    value_fen: Mapped[int] = mapped_column(BigInteger, doc="net CNY value (after returns), fen")
    returned_fen: Mapped[int] = mapped_column(BigInteger, doc="CNY value returned, fen")
    value_orig_cents: Mapped[int] = mapped_column(
        BigInteger, doc="net value in the document currency, 1/100 units"
    )
    cny_rate: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    rate_month: Mapped[str | None] = mapped_column(String(7), nullable=True)
    rate_source: Mapped[str | None] = mapped_column(String(16), nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_stats_facts_party_day", "party_id", "business_day"),
        Index("ix_stats_facts_currency_day", "currency", "business_day"),
        Index("ix_stats_facts_day", "business_day"),
    )


class FactChapter(Base):
    """A counted inventory's net CNY value in one HS chapter (first two digits of the code)."""

    __tablename__ = "stats_fact_chapters"

    document_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    chapter: Mapped[str] = mapped_column(String(2), primary_key=True)
    value_fen: Mapped[int] = mapped_column(BigInteger)
    lines: Mapped[int] = mapped_column(Integer)
