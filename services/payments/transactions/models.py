"""Reported transactions (counterparty sealed), their allocations to goods and their deductions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.payments.base import Base
from shared.sqltypes import Money, UTCDateTime


class Transaction(Base):
    """A receipt or payment an institution reported for an enterprise."""

    __tablename__ = "payments_transactions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    institution_party_id: Mapped[str] = mapped_column(String(64))
    reference: Mapped[str] = mapped_column(String(64), doc="the institution's own id: one per report")
    fingerprint: Mapped[str] = mapped_column(String(64), doc="sha256 of the report, to tell a replay")
    enterprise_party_id: Mapped[str] = mapped_column(String(64))
    direction: Mapped[str] = mapped_column(String(8))
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), doc="ISO 4217")
    value_date: Mapped[dt.date] = mapped_column(Date)
    year: Mapped[int] = mapped_column(Integer)
    amount_usd: Mapped[Decimal] = mapped_column(Money)
    amount_cny: Mapped[Decimal] = mapped_column(Money)
    rate_month: Mapped[str] = mapped_column(String(7))
    online: Mapped[bool] = mapped_column(Boolean)
    payout_reference: Mapped[str | None] = mapped_column(String(64), nullable=True)
    platform_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    end_to_end_id: Mapped[str | None] = mapped_column(String(35), nullable=True)
    counterparty_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    counterparty_key_id: Mapped[str] = mapped_column(String(32))
    counterparty_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    counterparty_masked: Mapped[str] = mapped_column(String(40))
    counterparty_country: Mapped[str | None] = mapped_column(String(3), nullable=True)
    requested_orders: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    unmatched_orders: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12))
    hold_reason: Mapped[str | None] = mapped_column(String(300), nullable=True)
    allocated: Mapped[Decimal] = mapped_column(Money)
    netted: Mapped[Decimal] = mapped_column(Money)
    remainder: Mapped[Decimal] = mapped_column(Money)
    settled: Mapped[Decimal] = mapped_column(Money, doc="settled so far, in the transaction currency")
    reported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("institution_party_id", "reference"),
        Index("ix_payments_transactions_enterprise", "enterprise_party_id", "reported_at"),
        Index("ix_payments_transactions_status", "status"),
    )


class Allocation(Base):
    """Part of a transaction paying one document's goods."""

    __tablename__ = "payments_allocations"

    transaction_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[str] = mapped_column(String(128), index=True)
    order_no: Mapped[str] = mapped_column(String(64))
    amount: Mapped[Decimal] = mapped_column(Money, doc="transaction currency")
    goods_amount: Mapped[Decimal] = mapped_column(Money, doc="goods currency")
    goods_currency: Mapped[str] = mapped_column(String(3), doc="customs code")
    active: Mapped[bool] = mapped_column(Boolean, doc="false once the transaction is voided")


class Deduction(Base):
    """A fee or allowed cost netted against a transaction."""

    __tablename__ = "payments_deductions"

    transaction_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    amount: Mapped[Decimal] = mapped_column(Money)
    note: Mapped[str | None] = mapped_column(String(200), nullable=True)
