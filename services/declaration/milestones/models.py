"""Tables of the milestone filings: each firm's choice, and each milestone the track reached."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services.declaration.base import Base
from shared.sqltypes import JSONText, UTCDateTime


class MilestoneFilingChoice(Base):
    """A logistics firm's choice per message type (``off`` / ``review`` / ``auto``), from the registry."""

    __tablename__ = "milestone_filing_choices"

    party_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    settings: Mapped[dict[str, str]] = mapped_column(JSONText)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, doc="when the firm chose (the event's time)")


class TrackMilestone(Base):
    """One customs milestone the track reached for a firm, and what became of it.

    ``status``: ``off`` (the firm files this type itself), ``prepared`` (waiting for the
    firm to sign and release), ``incomplete`` (a field customs requires is unknown; the
    firm completes and releases it), ``filed`` (in a filing: ``filing_id``,
    ``document_id``), ``rejected`` (the filing's pre-check refused the record:
    ``reasons``), ``refused`` (not filable for this party: ``reasons``), ``withdrawn``
    (the event behind it was retracted before filing).
    """

    __tablename__ = "track_milestones"

    milestone_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    message_type: Mapped[str] = mapped_column(String(6))
    party_id: Mapped[str | None] = mapped_column(String(64))
    logistics_code: Mapped[str] = mapped_column(String(18))
    logistics_no: Mapped[str] = mapped_column(String(60))
    record_key: Mapped[str] = mapped_column(
        String(80),
        doc="copNo (CEB507/509) or logisticsCode|logisticsNo (CEB513): how a released record is found",
    )
    shipment_id: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    record: Mapped[dict[str, Any]] = mapped_column(JSONText, doc="{head, lines} as prepared")
    missing: Mapped[list[str]] = mapped_column(JSONText, doc="required fields nothing told")
    status: Mapped[str] = mapped_column(String(12))
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSONText)
    filing_id: Mapped[str | None] = mapped_column(String(36))
    document_id: Mapped[str | None] = mapped_column(String(36))
    signed_by: Mapped[str | None] = mapped_column(String(10), doc="platform (auto) or enterprise (released)")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_track_milestones_party_created", "party_id", "created_at", "milestone_id"),
        Index("ix_track_milestones_record_key", "message_type", "record_key"),
    )
