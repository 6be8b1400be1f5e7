"""Inbound (头程) to an overseas warehouse: ASNs with boxes and items, the export inventories
that carried the goods, and what the warehouse counted on receiving."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.logistics.base import Base
from shared.sqltypes import BigIntPK, UTCDateTime


class InboundOrder(Base):
    """An advance shipping notice (ASN, ShipBob's WRO, 入库单): goods on their way to a warehouse."""

    __tablename__ = "logistics_inbound_orders"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_party_id: Mapped[str] = mapped_column(String(64))
    warehouse_id: Mapped[str] = mapped_column(String(32))
    reference: Mapped[str] = mapped_column(String(64), doc="the owner's own number, unique per owner")
    status: Mapped[str] = mapped_column(String(12))
    transport_mode: Mapped[str | None] = mapped_column(String(8), nullable=True)
    carrier_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    tracking_number: Mapped[str | None] = mapped_column(String(64), nullable=True)
    shipment_id: Mapped[str | None] = mapped_column(String(40), nullable=True, doc="the tracked shipment")
    expected_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    arrived_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    received_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_by_party_id: Mapped[str] = mapped_column(String(64), doc="the owner, or a platform acting for it")
    owner_codes: Mapped[str] = mapped_column(
        String(400),
        doc="the owner's customs codes when it filed itself (comma-separated): inventories match them",
    )
    fingerprint: Mapped[str] = mapped_column(String(64), doc="SHA-256 of the ASN as first sent")
    revision: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("owner_party_id", "reference"),
        Index("ix_logistics_inbound_orders_warehouse", "warehouse_id", "status"),
    )


class InboundDeclaration(Base):
    """An export inventory (9810) an ASN names; verified against the declaration events."""

    __tablename__ = "logistics_inbound_declarations"

    asn_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    number: Mapped[str] = mapped_column(String(128), primary_key=True, doc="invtNo, copNo or document id")
    document_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    link_status: Mapped[str] = mapped_column(String(12), doc="verified, unknown (not seen yet) or mismatch")
    detail: Mapped[str | None] = mapped_column(String(200), nullable=True)

    __table_args__ = (Index("ix_logistics_inbound_declarations_number", "number"),)


class InboundLine(Base):
    """One SKU in one box of an ASN, as announced."""

    __tablename__ = "logistics_inbound_lines"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    asn_id: Mapped[str] = mapped_column(String(32))
    box_no: Mapped[str] = mapped_column(String(40), doc="the carton label (箱唛)")
    product_id: Mapped[str] = mapped_column(String(32))
    lot_no: Mapped[str] = mapped_column(String(64), doc="the lot the owner gave, or '' (the ASN is the lot)")
    expected: Mapped[int] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("asn_id", "box_no", "product_id", "lot_no"),)


class InboundReceipt(Base):
    """What the warehouse counted, box by box; receipts of one ASN add up."""

    __tablename__ = "logistics_inbound_receipts"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    asn_id: Mapped[str] = mapped_column(String(32))
    receipt_key: Mapped[str] = mapped_column(String(80), doc="the operator's reference for this count")
    box_no: Mapped[str] = mapped_column(String(40))
    product_id: Mapped[str] = mapped_column(String(32))
    received: Mapped[int] = mapped_column(Integer, doc="sound units")
    damaged: Mapped[int] = mapped_column(Integer, doc="units that arrived damaged")
    received_on: Mapped[dt.date] = mapped_column(Date)
    final: Mapped[bool] = mapped_column(Boolean, doc="the operator's last count of this ASN")
    fingerprint: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_logistics_inbound_receipts_asn", "asn_id", "receipt_key"),)
