"""Overseas warehouses as statistics know them: profiles and monthly reports (from the
logistics service's events) and the regulator's certification assessments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, Boolean, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.stats.base import Base
from shared.sqltypes import BigIntPK, Money, UTCDateTime


class WarehouseProfile(Base):
    """A warehouse's profile at its highest revision seen."""

    __tablename__ = "stats_warehouses"

    warehouse_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    operator_party_id: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    city: Mapped[str] = mapped_column(String(100))
    area_m2: Mapped[Decimal] = mapped_column(Money)
    opened_on: Mapped[dt.date] = mapped_column(Date)
    usage: Mapped[str] = mapped_column(String(8))
    has_api: Mapped[bool] = mapped_column(Boolean)
    declared_level: Mapped[str | None] = mapped_column(String(12), nullable=True)
    declared_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(8))
    revision: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_stats_warehouses_operator", "operator_party_id"),)


class WarehouseMonth(Base):
    """A warehouse's month as last filed (highest revision)."""

    __tablename__ = "stats_warehouse_months"

    warehouse_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    operator_party_id: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(Integer)
    complete: Mapped[bool] = mapped_column(Boolean)
    filed_by: Mapped[str] = mapped_column(String(8))
    inbound_units: Mapped[int] = mapped_column(BigInteger)
    outbound_orders: Mapped[int] = mapped_column(BigInteger)
    outbound_units: Mapped[int] = mapped_column(BigInteger)
    returns_received: Mapped[int] = mapped_column(BigInteger)
    customers_served: Mapped[int] = mapped_column(Integer)
    units_on_hand: Mapped[int] = mapped_column(BigInteger)
    figures: Mapped[str] = mapped_column(Text, doc="the report's figures as JSON")
    reported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_stats_warehouse_months_month", "month"),)


class CertificationAssessment(Base):
    """A regulator's decision on a warehouse's certification at one level, with the criteria's
    evaluation at that moment. The latest per (warehouse, level) stands."""

    __tablename__ = "stats_warehouse_assessments"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    warehouse_id: Mapped[str] = mapped_column(String(32))
    operator_party_id: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(12))
    decision: Mapped[str] = mapped_column(String(12), doc="certified, refused or withdrawn")
    certified_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    year: Mapped[int] = mapped_column(Integer, doc="the certification year")
    basis: Mapped[str] = mapped_column(String(500), doc="the notice or reasoning")
    checks: Mapped[str] = mapped_column(Text, doc="the criteria's evaluation, JSON")
    criteria_status: Mapped[str] = mapped_column(String(8), doc="example, draft or final criteria")
    assessed_by: Mapped[str] = mapped_column(String(100))
    assessed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_stats_warehouse_assessments_wh", "warehouse_id", "level", "id"),)
