"""Shipments' transit figures, logistics costs and loss and damage claims as statistics keep
them (from the logistics service's events)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.stats.base import Base
from shared.sqltypes import Money, UTCDateTime


class Journey(Base):
    """A shipment's transit figures at the highest revision seen."""

    __tablename__ = "stats_journeys"

    shipment_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer)
    month: Mapped[str] = mapped_column(
        String(7), doc="Beijing month the journey started (of the figures, before a first event)"
    )
    direction: Mapped[str] = mapped_column(String(8))
    customs_mode: Mapped[str | None] = mapped_column(String(4), nullable=True)
    mode: Mapped[str] = mapped_column(String(8))
    route: Mapped[str] = mapped_column(String(20))
    enterprise_party_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    carrier_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    status: Mapped[str] = mapped_column(String(24))
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    transit_hours: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    customs_hours: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    punctuality: Mapped[str] = mapped_column(String(8))
    exceptions: Mapped[str] = mapped_column(Text, doc="exception counts by kind, as JSON")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_stats_journeys_month", "month", "mode", "route"),)


class LogisticsCost(Base):
    """One recorded cost as the logistics service published it; corrections are rows of their own."""

    __tablename__ = "stats_logistics_costs"

    cost_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    shipment_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(24))
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    amount_cny: Mapped[Decimal] = mapped_column(Money)
    incurred_on: Mapped[dt.date] = mapped_column(Date)
    year: Mapped[int] = mapped_column(Integer)
    enterprise_party_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    supersedes: Mapped[str | None] = mapped_column(String(64), nullable=True)
    voided: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_stats_logistics_costs_year", "year", "enterprise_party_id"),
        Index("ix_stats_logistics_costs_supersedes", "supersedes"),
    )


class ClaimFigures(Base):
    """A loss and damage claim's amounts and dates at the highest revision seen (never the
    claimant's words or the carrier's reasons: the event carries none)."""

    __tablename__ = "stats_claims"

    claim_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer)
    year: Mapped[int] = mapped_column(Integer, doc="Beijing calendar year of submission")
    claimant_party_id: Mapped[str] = mapped_column(String(64))
    shipment_id: Mapped[str] = mapped_column(String(64))
    carrier_code: Mapped[str] = mapped_column(String(64), doc="the claimed leg's reporting carrier")
    mode: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(24))
    claimed_cny: Mapped[Decimal] = mapped_column(Money)
    offer_cny: Mapped[Decimal] = mapped_column(Money)
    approved_cny: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    paid_cny: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    payout_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True, doc="submitted → paid")
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    paid_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_stats_claims_year", "year", "carrier_code"),)
