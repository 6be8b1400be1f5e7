"""The party registry mirror (from gateway events) and each enterprise's first real transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services.stats.base import Base
from shared.sqltypes import JSONText, UTCDateTime


class PartyMirror(Base):
    """A party as the gateway registered it (company data only — no personal data)."""

    __tablename__ = "stats_parties"

    party_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    uscc: Mapped[str] = mapped_column(String(18))
    customs_code: Mapped[str | None] = mapped_column(String(10), nullable=True)
    roles: Mapped[Any] = mapped_column(JSONText)
    district: Mapped[str | None] = mapped_column(String(64), nullable=True)
    park: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    registered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    registered_day: Mapped[dt.date] = mapped_column(Date)
    status_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (Index("ix_stats_parties_registered_day", "registered_day"),)


class FirstActivity(Base):
    """The day of a party's first counted transaction (有交易实绩), and where it was then."""

    __tablename__ = "stats_party_first_activity"

    party_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_day: Mapped[dt.date] = mapped_column(Date)
    first_month: Mapped[dt.date] = mapped_column(Date)
    district: Mapped[str] = mapped_column(String(64))
    park: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_stats_party_first_activity_day", "first_day"),)
