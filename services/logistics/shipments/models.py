"""Tables of shipments, legs and the numbers they are found by.

* ``shipments`` — one consignment: its customs references (order, waybill, inventory,
  conveyance, office), its parties, and its derived state (status, ETA and the first ETA,
  punctuality, figures' revision), which the tracking module recomputes from the events.
* ``shipment_legs`` — its legs in order: role (first mile, linehaul across the border,
  last mile, return, transfer — a warehouse's last-mile leg and a return leg are legs
  like the others), mode, the reporting carrier's code and the operating carrier, the
  tracking number, origin and destination, planned times, and the leg's derived state.
* ``leg_numbers`` — every number a leg is known by: its tracking number, numbers that
  replaced each other (aliases), the shipper-side and carrier-side numbers, containers.
* ``shipment_numbers`` — the shipment's own numbers (order, waybill, inventory, bill of
  lading) for "search by any number".
* ``shipment_links`` — inventory facts that arrived before their waybill's shipment
  existed, applied when it appears.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.logistics.base import Base
from shared.sqltypes import BigIntPK, JSONText, UTCDateTime


class DerivedState:
    """Columns the tracking module derives from events (shared by shipments and legs)."""

    status: Mapped[str] = mapped_column(String(24), default="pending")
    sub_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    status_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_event_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    eta_earliest: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    eta_latest: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    eta_source: Mapped[str | None] = mapped_column(String(10), nullable=True)
    first_eta_earliest: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    first_eta_latest: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    first_eta_source: Mapped[str | None] = mapped_column(String(10), nullable=True)
    punctuality: Mapped[str] = mapped_column(String(8), default="unknown")


class Shipment(DerivedState, Base):
    """One consignment."""

    __tablename__ = "shipments"
    __table_args__ = (
        Index("ix_shipments_waybill", "logistics_code", "logistics_no"),
        Index("ix_shipments_created", "created_at", "id"),
        Index("ix_shipments_enterprise", "enterprise_party_id", "created_at"),
        Index("ix_shipments_carrier", "carrier_party_id", "created_at"),
        Index("ix_shipments_ebc", "ebc_code", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    direction: Mapped[str] = mapped_column(String(6))
    customs_mode: Mapped[str | None] = mapped_column(String(4), nullable=True)
    order_no: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    ebp_code: Mapped[str | None] = mapped_column(String(18), nullable=True)
    ebc_code: Mapped[str | None] = mapped_column(String(18), nullable=True)
    logistics_code: Mapped[str | None] = mapped_column(String(18), nullable=True)
    logistics_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    logistics_no: Mapped[str | None] = mapped_column(String(64), nullable=True)
    cop_no: Mapped[str | None] = mapped_column(String(30), nullable=True)
    invt_no: Mapped[str | None] = mapped_column(String(20), nullable=True)
    bill_no: Mapped[str | None] = mapped_column(String(37), nullable=True)
    customs_code: Mapped[str | None] = mapped_column(String(4), nullable=True)
    port_code: Mapped[str | None] = mapped_column(String(8), nullable=True)
    loct_no: Mapped[str | None] = mapped_column(String(10), nullable=True)
    traf_mode: Mapped[str | None] = mapped_column(String(1), nullable=True)
    traf_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    voyage_no: Mapped[str | None] = mapped_column(String(32), nullable=True)
    country: Mapped[str | None] = mapped_column(String(3), nullable=True)
    enterprise_party_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    carrier_party_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_by_party_id: Mapped[str] = mapped_column(String(64))
    origin: Mapped[str] = mapped_column(String(12), doc="declaration or api")
    source_document_id: Mapped[str | None] = mapped_column(String(36), nullable=True, unique=True)
    route: Mapped[str | None] = mapped_column(String(20), nullable=True)
    customs_hours: Mapped[str | None] = mapped_column(String(16), nullable=True, doc="Decimal text")
    exceptions: Mapped[dict[str, int]] = mapped_column(JSONText, default=dict)
    revision: Mapped[int] = mapped_column(Integer, default=0, doc="grows with every derived change")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Leg(DerivedState, Base):
    """One stretch of a shipment's journey."""

    __tablename__ = "shipment_legs"
    __table_args__ = (
        UniqueConstraint("shipment_id", "sequence"),
        Index("ix_shipment_legs_stale", "status", "mode", "last_event_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    shipment_id: Mapped[str] = mapped_column(String(36), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(12))
    mode: Mapped[str] = mapped_column(String(8))
    mode_source: Mapped[str] = mapped_column(String(10), doc="api, customs, events or default")
    carrier_code: Mapped[str] = mapped_column(String(64), doc="the reporting carrier's platform code")
    operated_by: Mapped[str | None] = mapped_column(
        String(40), nullable=True, doc="the operating carrier's key"
    )
    tracking_number: Mapped[str] = mapped_column(String(64))
    origin_locode: Mapped[str | None] = mapped_column(String(5), nullable=True)
    origin_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    destination_locode: Mapped[str | None] = mapped_column(String(5), nullable=True)
    destination_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    planned_departure: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    planned_arrival: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    stale_alerted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class LegNumber(Base):
    """A number a leg is known by."""

    __tablename__ = "leg_numbers"
    __table_args__ = (UniqueConstraint("leg_id", "number"), Index("ix_leg_numbers_number", "number"))

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    leg_id: Mapped[str] = mapped_column(String(36))
    shipment_id: Mapped[str] = mapped_column(String(36), index=True)
    number: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20), doc="tracking, alias, shipper, carrier, container, …")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ShipmentNumber(Base):
    """A number of the shipment itself (order, waybill, inventory, bill of lading)."""

    __tablename__ = "shipment_numbers"
    __table_args__ = (
        UniqueConstraint("shipment_id", "kind", "number"),
        Index("ix_shipment_numbers_number", "number"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    shipment_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(20))
    number: Mapped[str] = mapped_column(String(64))


class ShipmentLink(Base):
    """An inventory's references waiting for the shipment of its waybill."""

    __tablename__ = "shipment_links"

    waybill_ref: Mapped[str] = mapped_column(String(90), primary_key=True, doc="logisticsCode|logisticsNo")
    facts: Mapped[dict[str, Any]] = mapped_column(JSONText)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
