"""Customs documents, their goods lines and their customs receipts — payments' own copy, from events."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.payments.base import Base
from shared.sqltypes import Money, UTCDateTime


class GoodsDocument(Base):
    """An order, inventory, waybill or payment document of an enterprise, with its effective status."""

    __tablename__ = "payments_goods_documents"

    document_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    party_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(24))
    message_type: Mapped[str] = mapped_column(String(8))
    direction: Mapped[str] = mapped_column(String(6))
    mode: Mapped[str | None] = mapped_column(String(4), nullable=True)
    business_no: Mapped[str] = mapped_column(String(64))
    order_no: Mapped[str | None] = mapped_column(String(64), nullable=True)
    logistics_no: Mapped[str | None] = mapped_column(String(64), nullable=True)
    logistics_code: Mapped[str | None] = mapped_column(String(18), nullable=True)
    invt_no: Mapped[str | None] = mapped_column(String(64), nullable=True)
    ebc_code: Mapped[str | None] = mapped_column(String(18), nullable=True)
    ebp_code: Mapped[str | None] = mapped_column(String(18), nullable=True)
    country: Mapped[str | None] = mapped_column(String(3), nullable=True)
    buyer_code: Mapped[str | None] = mapped_column(String(64), nullable=True, doc="overseas business buyer")
    buyer_name: Mapped[str | None] = mapped_column(String(200), nullable=True, doc="overseas business buyer")
    currency: Mapped[str] = mapped_column(String(3), doc="customs code")
    value: Mapped[Decimal] = mapped_column(Money)
    value_cny: Mapped[Decimal] = mapped_column(Money)
    returned_value: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(32))
    status_rank: Mapped[int] = mapped_column(Integer)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    goods_revision: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_payments_goods_documents_party_order", "party_id", "order_no"),
        Index("ix_payments_goods_documents_party_kind", "party_id", "kind", "direction"),
        Index("ix_payments_goods_documents_logistics", "logistics_no"),
    )


class GoodsLineRow(Base):
    """One goods line of an order or inventory (the latest revision filed)."""

    __tablename__ = "payments_goods_lines"

    document_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    gnum: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_no: Mapped[str | None] = mapped_column(String(64), nullable=True)
    name: Mapped[str] = mapped_column(String(250))
    gcode: Mapped[str | None] = mapped_column(String(10), nullable=True)
    quantity: Mapped[Decimal] = mapped_column(Money)
    unit: Mapped[str | None] = mapped_column(String(3), nullable=True)
    unit_price: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    total_price: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    country: Mapped[str | None] = mapped_column(String(3), nullable=True)


class CustomsStatusRow(Base):
    """A status change of a document (customs receipts: release 800, clearance 899 …), once per event."""

    __tablename__ = "payments_goods_statuses"

    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    document_id: Mapped[str] = mapped_column(String(128), index=True)
    status: Mapped[str] = mapped_column(String(32))
    customs_status: Mapped[str | None] = mapped_column(String(10), nullable=True)
    reason: Mapped[str | None] = mapped_column(String(300), nullable=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class TrackingRow(Base):
    """A tracking status change of a shipment (from the logistics events), once per event."""

    __tablename__ = "payments_tracking"

    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    shipment_id: Mapped[str] = mapped_column(String(64))
    logistics_no: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    order_no: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status: Mapped[str] = mapped_column(String(32))
    sub_status: Mapped[str | None] = mapped_column(String(48), nullable=True)
    location: Mapped[str | None] = mapped_column(String(200), nullable=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
