"""Outbound from an overseas warehouse: B2C orders (一件代发) and B2B transfers, their lines,
the lots picking took, and the packages that left."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.logistics.base import Base
from shared.sqltypes import BigIntPK, UTCDateTime


class OutboundOrder(Base):
    """An order the warehouse fulfils: a parcel to a buyer, or a transfer to another facility."""

    __tablename__ = "logistics_outbound_orders"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_party_id: Mapped[str] = mapped_column(String(64))
    created_by_party_id: Mapped[str] = mapped_column(String(64))
    warehouse_id: Mapped[str] = mapped_column(String(32))
    reference: Mapped[str] = mapped_column(String(64), doc="the owner's order number, unique per owner")
    channel_order_no: Mapped[str | None] = mapped_column(String(64), nullable=True, doc="marketplace order")
    kind: Mapped[str] = mapped_column(String(4), doc="b2c (one parcel to a buyer) or b2b (a transfer)")
    status: Mapped[str] = mapped_column(String(12))
    exception: Mapped[str | None] = mapped_column(String(16), nullable=True, doc="out_of_stock")
    hold_reason: Mapped[str | None] = mapped_column(String(24), nullable=True)
    destination_country: Mapped[str] = mapped_column(String(2))
    destination_facility: Mapped[str | None] = mapped_column(
        String(40), nullable=True, doc="b2b: the receiving facility (e.g. an FBA centre code)"
    )
    ship_to_key: Mapped[str | None] = mapped_column(String(32), nullable=True)
    ship_to_sealed: Mapped[bytes | None] = mapped_column(
        LargeBinary, nullable=True, doc="the buyer's address"
    )
    ship_to_masked: Mapped[str | None] = mapped_column(String(200), nullable=True)
    service_level: Mapped[str | None] = mapped_column(String(32), nullable=True)
    carrier_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    tracking_number: Mapped[str | None] = mapped_column(String(64), nullable=True)
    transport_mode: Mapped[str | None] = mapped_column(String(8), nullable=True)
    shipment_id: Mapped[str | None] = mapped_column(String(40), nullable=True, doc="the tracked shipment")
    packages: Mapped[int] = mapped_column(Integer)
    weight_g: Mapped[int | None] = mapped_column(Integer, nullable=True)
    replaces_return_id: Mapped[str | None] = mapped_column(
        String(32), nullable=True, doc="an exchange: the return this reshipment answers"
    )
    fingerprint: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    reserved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    picked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    packed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    shipped_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("owner_party_id", "reference"),
        Index("ix_logistics_outbound_orders_warehouse", "warehouse_id", "status", "created_at"),
        Index("ix_logistics_outbound_orders_owner", "owner_party_id", "created_at"),
    )


class OutboundLine(Base):
    """Units of one SKU on an order, and how many of them the order holds reserved."""

    __tablename__ = "logistics_outbound_lines"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(String(32))
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[str] = mapped_column(String(32))
    quantity: Mapped[int] = mapped_column(Integer)
    reserved: Mapped[int] = mapped_column(Integer, doc="0, or the whole quantity")

    __table_args__ = (
        UniqueConstraint("order_id", "line_no"),
        Index("ix_logistics_outbound_lines_product", "product_id", "reserved"),
    )


class OutboundPick(Base):
    """Units of an order line picking took from one lot."""

    __tablename__ = "logistics_outbound_picks"

    order_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    lot_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)
