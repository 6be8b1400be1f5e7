"""The logistics costs table (append-only: a correction supersedes, a void is a record too)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, Date, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services.logistics.base import Base
from shared.sqltypes import Money, UTCDateTime


class LogisticsCost(Base):
    """One cost record of a shipment."""

    __tablename__ = "logistics_costs"
    __table_args__ = (Index("ix_logistics_costs_shipment", "shipment_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    shipment_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(24))
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), doc="ISO 4217")
    amount_cny: Mapped[Decimal] = mapped_column(Money)
    cny_rate: Mapped[Decimal] = mapped_column(Money)
    rate_month: Mapped[str] = mapped_column(String(7))
    incurred_on: Mapped[dt.date] = mapped_column(Date)
    recorded_by_party_id: Mapped[str] = mapped_column(String(64))
    supersedes: Mapped[str | None] = mapped_column(String(36), nullable=True, unique=True)
    voided: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
