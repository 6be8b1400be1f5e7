"""Returns and exchanges: a return of (part of) a released parcel, its lines and grading."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.logistics.base import Base
from shared.sqltypes import BigIntPK, UTCDateTime


class ReturnRequest(Base):
    """A return the goods' owner opened for a parcel customs released."""

    __tablename__ = "logistics_returns"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_party_id: Mapped[str] = mapped_column(String(64))
    created_by_party_id: Mapped[str] = mapped_column(String(64))
    reference: Mapped[str] = mapped_column(
        String(64), doc="the owner's return number (RMA), unique per owner"
    )
    shipment_id: Mapped[str] = mapped_column(String(36), doc="the parcel going back")
    direction: Mapped[str] = mapped_column(String(6))
    customs_mode: Mapped[str | None] = mapped_column(String(4), nullable=True)
    invt_no: Mapped[str | None] = mapped_column(String(20), nullable=True, doc="the released inventory")
    released_on: Mapped[dt.date] = mapped_column(Date, doc="customs release, Beijing calendar")
    window_closes_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(20))
    disposition: Mapped[str] = mapped_column(String(10), doc="warehouse (restock overseas) or china")
    warehouse_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    status: Mapped[str] = mapped_column(String(20))
    return_leg_id: Mapped[str | None] = mapped_column(String(36), nullable=True, doc="its own leg")
    carrier_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    tracking_number: Mapped[str | None] = mapped_column(String(64), nullable=True)
    exchange_order_id: Mapped[str | None] = mapped_column(String(32), nullable=True, doc="the reshipment")
    customs_return_id: Mapped[str | None] = mapped_column(
        String(64), nullable=True, doc="the declaration's return document customs accepted"
    )
    fingerprint: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    shipped_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    received_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    filed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("owner_party_id", "reference"),
        Index("ix_logistics_returns_owner", "owner_party_id", "created_at"),
        Index("ix_logistics_returns_warehouse", "warehouse_id", "status"),
        Index("ix_logistics_returns_invt", "invt_no"),
    )


class ReturnLine(Base):
    """Units of one SKU coming back, and how the warehouse graded them."""

    __tablename__ = "logistics_return_lines"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    return_id: Mapped[str] = mapped_column(String(32))
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[str] = mapped_column(String(32))
    quantity: Mapped[int] = mapped_column(Integer)
    sellable: Mapped[int] = mapped_column(Integer, default=0)
    unsellable: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("return_id", "line_no"),)
