"""The funds side of each enterprise's month (the latest revision payments published)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.stats.base import Base
from shared.sqltypes import UTCDateTime


class FundsMonth(Base):
    """Receipts and payments of an enterprise in a month, in fen (CNY)."""

    __tablename__ = "stats_funds_month"

    party_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    receipts_fen: Mapped[int] = mapped_column(BigInteger)
    matched_receipts_fen: Mapped[int] = mapped_column(BigInteger)
    netted_fen: Mapped[int] = mapped_column(BigInteger)
    payments_fen: Mapped[int] = mapped_column(BigInteger)
    matched_payments_fen: Mapped[int] = mapped_column(BigInteger)
    unmatched_transactions: Mapped[int] = mapped_column(Integer)
    held_transactions: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer)
    as_of: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_stats_funds_month_month", "month"),)
