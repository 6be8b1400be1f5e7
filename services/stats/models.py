"""Tables of the stats service."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.models import declarative_base

Base = declarative_base()
metadata = Base.metadata


class DailyActivity(Base):
    """Accepted documents per party, day, mode and direction (the foundation's slice).

    Money is integer fen so SUM is exact on SQLite and PostgreSQL alike.
    """

    __tablename__ = "daily_activity"

    party_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    mode: Mapped[str] = mapped_column(String(4), primary_key=True)
    direction: Mapped[str] = mapped_column(String(6), primary_key=True)
    documents: Mapped[int] = mapped_column(Integer)
    value_cny_fen: Mapped[int] = mapped_column(BigInteger)
