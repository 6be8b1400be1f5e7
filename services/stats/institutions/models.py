"""The yearly online volume of each institution (the latest revision payments published)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.stats.base import Base
from shared.sqltypes import UTCDateTime


class InstitutionVolumeYear(Base):
    """An institution's online cross-border volume in a year, in fen."""

    __tablename__ = "stats_institution_volume_year"

    party_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    volume_fen: Mapped[int] = mapped_column(BigInteger)
    transactions: Mapped[int] = mapped_column(Integer)
    headquarters_in_city: Mapped[bool] = mapped_column(Boolean)
    licensed: Mapped[bool] = mapped_column(Boolean)
    revision: Mapped[int] = mapped_column(Integer)
    as_of: Mapped[dt.datetime] = mapped_column(UTCDateTime)
