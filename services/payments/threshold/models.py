"""Counters, SAFE's monthly lists and directory registrations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.payments.base import Base
from shared.sqltypes import BigIntPK, Money, UTCDateTime


class ThresholdCounter(Base):
    """Yearly foreign-currency receipts and payments of one enterprise at one institution (USD)."""

    __tablename__ = "payments_threshold_counters"

    enterprise_party_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    institution_party_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    receipts_usd: Mapped[Decimal] = mapped_column(Money)
    payments_usd: Mapped[Decimal] = mapped_column(Money)
    state: Mapped[str] = mapped_column(String(24))
    safe_list: Mapped[str | None] = mapped_column(String(8), nullable=True, doc="over or warning")
    safe_list_month: Mapped[str | None] = mapped_column(String(7), nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class SafeListEntry(Base):
    """One firm on one of SAFE's monthly lists, as an institution imported it."""

    __tablename__ = "payments_safe_list_entries"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    institution_party_id: Mapped[str] = mapped_column(String(64), index=True)
    month: Mapped[str] = mapped_column(String(7))
    list_type: Mapped[str] = mapped_column(String(8))
    uscc: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(200))
    amount_usd: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    enterprise_party_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class DirectoryRegistration(Base):
    """An enterprise's registration in the trade-FX directory (名录): once made, it stays recorded."""

    __tablename__ = "payments_directory_registrations"

    enterprise_party_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    registered_on: Mapped[dt.date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(64), doc="the institution that recorded it")
    safe_reference: Mapped[str | None] = mapped_column(String(64), nullable=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
