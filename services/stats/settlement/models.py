"""The yearly RMB settlement of each enterprise (the latest revision payments published)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.stats.base import Base
from shared.sqltypes import UTCDateTime


class RmbSettlementYear(Base):
    """An enterprise's cross-border RMB settlement in a Beijing calendar year, in fen."""

    __tablename__ = "stats_rmb_settlement_year"

    party_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    settlements: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer)
    as_of: Mapped[dt.datetime] = mapped_column(UTCDateTime)
