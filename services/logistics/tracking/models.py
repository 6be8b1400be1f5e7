"""Tables of tracking.

* ``tracking_events`` — append-only: every event as received (its time in UTC and the
  offset it was written in, the normalised status, sub-status and reason, the raw code and
  the masked raw text, location, classifier, source, the event it retracts), found again
  by its deduplication key, so the same event sent twice is stored once. An event for a
  number not known yet is kept with no leg and attached when the number appears (the
  attachment is the only update an event row ever sees).
* ``shipment_statuses_seen`` — when a shipment first reached each status (the "first
  time in this status" flag of notifications).
* ``customs_milestones`` — the milestones published to the declaration service, with the
  event they were reached by.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.logistics.base import Base
from shared.sqltypes import BigIntPK, JSONText, UTCDateTime


class TrackingEvent(Base):
    """One tracking event."""

    __tablename__ = "tracking_events"
    __table_args__ = (
        Index("ix_tracking_events_timeline", "shipment_id", "occurred_at", "seq"),
        Index("ix_tracking_events_leg", "leg_id", "seq"),
        Index("ix_tracking_events_orphans", "tracking_number", "leg_id"),
    )

    seq: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    dedup_key: Mapped[str] = mapped_column(String(64), unique=True)
    shipment_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    leg_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    carrier_code: Mapped[str | None] = mapped_column(String(64), nullable=True, doc="platform code named")
    carrier_key: Mapped[str | None] = mapped_column(String(40), nullable=True, doc="carrier-table key named")
    tracking_number: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))
    native_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    utc_offset_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    recorded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[str | None] = mapped_column(String(24), nullable=True, doc="None: a pure retraction")
    sub_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    customs_clearance: Mapped[bool] = mapped_column(Boolean, default=False, doc="direction from the shipment")
    mapped: Mapped[bool] = mapped_column(Boolean, default=True, doc="False: an unknown code, fallback used")
    classifier: Mapped[str] = mapped_column(String(10))
    raw_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    raw_text: Mapped[str | None] = mapped_column(String(500), nullable=True, doc="masked")
    locode: Mapped[str | None] = mapped_column(String(5), nullable=True)
    location_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    country: Mapped[str | None] = mapped_column(String(2), nullable=True)
    facility_code: Mapped[str | None] = mapped_column(String(35), nullable=True)
    facility_type: Mapped[str | None] = mapped_column(String(8), nullable=True)
    retracts: Mapped[str | None] = mapped_column(String(128), nullable=True)
    eta_earliest: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    eta_latest: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    conveyance: Mapped[dict[str, Any] | None] = mapped_column(JSONText, nullable=True)
    pushed_by_party_id: Mapped[str] = mapped_column(String(64))
    pushed_by_codes: Mapped[list[str]] = mapped_column(JSONText, default=list)


class StatusSeen(Base):
    """The first time a shipment reached a status."""

    __tablename__ = "shipment_statuses_seen"

    shipment_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    status: Mapped[str] = mapped_column(String(24), primary_key=True)
    first_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class CustomsMilestoneRow(Base):
    """A milestone published for the declaration service."""

    __tablename__ = "customs_milestones"

    id: Mapped[str] = mapped_column(String(80), primary_key=True, doc="<shipment id>:<milestone>")
    shipment_id: Mapped[str] = mapped_column(String(36), index=True)
    milestone: Mapped[str] = mapped_column(String(12))
    tracking_event_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    occurred_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    state: Mapped[str] = mapped_column(String(10), doc="reached or withdrawn")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
