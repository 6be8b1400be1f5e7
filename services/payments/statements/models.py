"""Uploaded statement files (sealed), the statements in them, and their entries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, Date, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.payments.base import Base
from shared.sqltypes import Money, UTCDateTime


class StatementUpload(Base):
    """One file as a bank sent it: sealed at rest (it holds account numbers and names)."""

    __tablename__ = "payments_statement_uploads"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    institution_party_id: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(80), doc="sha256 of the bytes received")
    media_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    raw_key_id: Mapped[str] = mapped_column(String(32))
    raw_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("institution_party_id", "digest"),)


class Statement(Base):
    """One account's statement (or notification, or interim report)."""

    __tablename__ = "payments_statements"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    upload_id: Mapped[str] = mapped_column(String(40), index=True)
    institution_party_id: Mapped[str] = mapped_column(String(64))
    enterprise_party_id: Mapped[str] = mapped_column(String(64))
    account_hash: Mapped[str] = mapped_column(String(64))
    account_masked: Mapped[str] = mapped_column(String(16))
    format: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(16))
    statement_ref: Mapped[str] = mapped_column(String(80))
    currency: Mapped[str] = mapped_column(String(3))
    opening_balance: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    closing_balance: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    from_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    to_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    bank_created_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    entries: Mapped[int] = mapped_column(Integer)
    content_digest: Mapped[str] = mapped_column(String(80), doc="what the statement says, whatever the bytes")
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("institution_party_id", "account_hash", "kind", "statement_ref"),
        Index("ix_payments_statements_enterprise", "enterprise_party_id", "received_at"),
    )


class StatementEntry(Base):
    """One entry; the counterparty sealed, and how much of it reconciliation matched."""

    __tablename__ = "payments_statement_entries"

    statement_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_party_id: Mapped[str] = mapped_column(String(64))
    amount: Mapped[Decimal] = mapped_column(Money)
    credit: Mapped[bool] = mapped_column(Boolean)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(4))
    booking_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    value_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    bank_reference: Mapped[str | None] = mapped_column(String(64), nullable=True)
    end_to_end_ids: Mapped[str] = mapped_column(String(400))
    remittance: Mapped[str] = mapped_column(Text)
    counterparty_masked: Mapped[str | None] = mapped_column(String(40), nullable=True)
    counterparty_key_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    counterparty_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    reversal: Mapped[bool] = mapped_column(Boolean)
    matched_amount: Mapped[Decimal] = mapped_column(Money)
    match_state: Mapped[str] = mapped_column(String(12), doc="unmatched, partial, matched or review")

    __table_args__ = (Index("ix_payments_statement_entries_open", "enterprise_party_id", "match_state"),)
