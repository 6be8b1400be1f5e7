"""Filed monthly warehouse reports: the figures as filed, one row per warehouse and month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.logistics.base import Base
from shared.sqltypes import Money, UTCDateTime


class WarehouseReport(Base):
    """A month of one warehouse as filed (and re-filed: ``revision``)."""

    __tablename__ = "logistics_warehouse_reports"

    warehouse_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer)
    figures: Mapped[str] = mapped_column(Text, doc="WarehouseMonthFigures as JSON")
    complete: Mapped[bool] = mapped_column(Boolean, doc="false: filed while the month was running")
    area_used_m2: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    filed_by: Mapped[str] = mapped_column(String(8), doc="platform or operator")
    filed_by_party_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    filed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
