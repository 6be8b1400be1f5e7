"""The overseas warehouse registry: one row per warehouse, linked to its operator party."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, Date, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.logistics.base import Base
from shared.sqltypes import Money, UTCDateTime


class Warehouse(Base):
    """A warehouse abroad (海外仓): who runs it, where, how big, since when, how it is certified."""

    __tablename__ = "logistics_warehouses"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    operator_party_id: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(32), doc="the operator's own code for the warehouse")
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2), doc="ISO 3166-1 alpha-2")
    city: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(400))
    postal_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    area_m2: Mapped[Decimal] = mapped_column(Money)
    opened_on: Mapped[dt.date] = mapped_column(Date, doc="start of operations")
    usage: Mapped[str] = mapped_column(String(8), doc="public (serves any enterprise) or own")
    has_api: Mapped[bool] = mapped_column(Boolean)
    certification_level: Mapped[str | None] = mapped_column(String(12), nullable=True)
    certification_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(8))
    revision: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("operator_party_id", "code"),
        Index("ix_logistics_warehouses_country", "country", "id"),
    )
