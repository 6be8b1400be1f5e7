"""Stock counts as received: one row per count, so a count sent twice is applied once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.logistics.base import Base
from shared.sqltypes import UTCDateTime


class StockCount(Base):
    """A count the operator reported, and what it changed (JSON of its lines' corrections)."""

    __tablename__ = "logistics_stock_counts"

    warehouse_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    count_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    result: Mapped[str] = mapped_column(Text, doc="the corrections, as answered")
    actor_party_id: Mapped[str] = mapped_column(String(64))
    counted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
