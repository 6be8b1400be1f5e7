"""Loss and damage claims, their evidence files, and the claim-window reminders sent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Date, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.logistics.base import Base
from shared.sqltypes import BigIntPK, JSONText, Money, UTCDateTime


class Claim(Base):
    """A claim the shipment's enterprise made against the carrier of one of its legs."""

    __tablename__ = "logistics_claims"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    claimant_party_id: Mapped[str] = mapped_column(String(64))
    created_by_party_id: Mapped[str] = mapped_column(String(64))
    reference: Mapped[str] = mapped_column(String(64), doc="the claimant's claim number, unique per claimant")
    fingerprint: Mapped[str] = mapped_column(String(64))
    shipment_id: Mapped[str] = mapped_column(String(36))
    leg_id: Mapped[str] = mapped_column(String(36))
    carrier_code: Mapped[str] = mapped_column(String(64), doc="the claimed leg's reporting carrier")
    mode: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(24))
    product: Mapped[str | None] = mapped_column(
        String(32), nullable=True, doc="product category of the rules"
    )
    status: Mapped[str] = mapped_column(String(24))
    description: Mapped[str] = mapped_column(Text, doc="the claimant's words: never in events")
    weight_kg: Mapped[Decimal] = mapped_column(Money)
    packages: Mapped[int] = mapped_column(Integer)
    claimed_amount: Mapped[Decimal] = mapped_column(Money)
    claimed_currency: Mapped[str] = mapped_column(String(3), doc="ISO 4217")
    claimed_cny: Mapped[Decimal] = mapped_column(Money)
    freight_cny: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    declared_cny: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    insured_cny: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    offer_cny: Mapped[Decimal] = mapped_column(Money)
    cap_cny: Mapped[Decimal] = mapped_column(Money)
    explanation: Mapped[list[str]] = mapped_column(JSONText)
    window_opens_on: Mapped[dt.date] = mapped_column(Date)
    window_closes_on: Mapped[dt.date] = mapped_column(Date)
    approved_cny: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    documents_requested: Mapped[str | None] = mapped_column(Text, nullable=True)
    paid_fen: Mapped[int | None] = mapped_column(
        BigInteger, nullable=True, doc="paid, in fen: exact SQL sums"
    )
    payment_reference: Mapped[str | None] = mapped_column(String(64), nullable=True)
    payout_seconds: Mapped[int | None] = mapped_column(BigInteger, nullable=True, doc="submitted → paid")
    revision: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    paid_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("claimant_party_id", "reference"),
        Index("ix_logistics_claims_claimant", "claimant_party_id", "submitted_at"),
        Index("ix_logistics_claims_carrier", "carrier_code", "submitted_at"),
        Index("ix_logistics_claims_shipment", "shipment_id"),
    )


class ClaimEvidence(Base):
    """A file attached to a claim (a photo, an invoice, a survey report), kept in the database."""

    __tablename__ = "logistics_claim_evidence"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    claim_id: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_party_id: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("claim_id", "sha256"),)


class ClaimReminder(Base):
    """A claim-window reminder, sent once per shipment, claim kind and closing day."""

    __tablename__ = "logistics_claim_reminders"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    shipment_id: Mapped[str] = mapped_column(String(36))
    leg_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(24))
    window_closes_on: Mapped[dt.date] = mapped_column(Date)
    party_id: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    details: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)

    __table_args__ = (UniqueConstraint("shipment_id", "kind", "window_closes_on"),)
