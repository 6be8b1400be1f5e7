"""Three-document match state of every inventory: partners found, outcome, masked report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from services.declaration.base import Base
from shared.sqltypes import JSONText, UTCDateTime


class InventoryMatch(Base):
    """The latest match of one inventory against its order, payment and waybill."""

    __tablename__ = "inventory_matches"

    inventory_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    status: Mapped[str] = mapped_column(String(12), doc="waiting, matched or mismatched")
    order_id: Mapped[str | None] = mapped_column(String(36))
    payment_id: Mapped[str | None] = mapped_column(String(36))
    waybill_id: Mapped[str | None] = mapped_column(String(36))
    report: Mapped[dict[str, Any]] = mapped_column(JSONText, doc="waitingFor, mismatches, review (masked)")
    matched_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
