"""The platform's own operating figures: API traffic and documents accepted."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services.stats.base import Base
from shared.sqltypes import UTCDateTime


class ApiTrafficHour(Base):
    """Calls the gateway answered for one party in one hour."""

    __tablename__ = "stats_api_traffic_hour"

    party_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    hour_start: Mapped[dt.datetime] = mapped_column(UTCDateTime, primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date)
    calls: Mapped[int] = mapped_column(BigInteger)
    errors: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_stats_api_traffic_hour_day", "day"),)


class AcceptedDocument(Base):
    """A document the platform accepted (any kind): the platform's message volume."""

    __tablename__ = "stats_accepted_documents"

    document_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date)
    party_id: Mapped[str] = mapped_column(String(64))
    document_kind: Mapped[str] = mapped_column(String(20))
    mode: Mapped[str] = mapped_column(String(4))
    direction: Mapped[str] = mapped_column(String(6))


class AcceptedDocumentsDay(Base):
    """Accepted documents per day, kind, mode and direction (kept with the rows above)."""

    __tablename__ = "stats_accepted_documents_day"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    document_kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    mode: Mapped[str] = mapped_column(String(4), primary_key=True)
    direction: Mapped[str] = mapped_column(String(6), primary_key=True)
    documents: Mapped[int] = mapped_column(BigInteger)
