"""Expected items, runs, proposals, applied matches and rejected pairs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.payments.base import Base
from shared.sqltypes import Money, UTCDateTime


class ExpectedItem(Base):
    """A receipt or payment the enterprise expects on its account."""

    __tablename__ = "payments_expected_items"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    enterprise_party_id: Mapped[str] = mapped_column(String(64))
    credit: Mapped[bool] = mapped_column(Boolean, doc="a receipt (credit on the statement)")
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[Decimal] = mapped_column(Money)
    open_amount: Mapped[Decimal] = mapped_column(Money)
    expected_date: Mapped[dt.date] = mapped_column(Date)
    refs: Mapped[str] = mapped_column(String(1000), doc="references, space-separated, upper case")
    source: Mapped[str] = mapped_column(String(12), doc="transaction or api")
    source_ref: Mapped[str] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[str] = mapped_column(String(8), doc="open, partial, matched or closed")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("enterprise_party_id", "source", "source_ref"),
        Index("ix_payments_expected_items_open", "enterprise_party_id", "status"),
    )


class ReconciliationRun(Base):
    """One run: what it considered, what it proposed, how far applying got."""

    __tablename__ = "payments_reconciliation_runs"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    enterprise_party_id: Mapped[str] = mapped_column(String(64), index=True)
    requested_by: Mapped[str] = mapped_column(String(64))
    dry_run: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(12), doc="dry_run, applying or done")
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    entries_considered: Mapped[int] = mapped_column(Integer)
    items_considered: Mapped[int] = mapped_column(Integer)
    proposals: Mapped[int] = mapped_column(Integer)
    auto: Mapped[int] = mapped_column(Integer)
    review: Mapped[int] = mapped_column(Integer)
    applied: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Proposal(Base):
    """A proposed match of one entry with one or more items."""

    __tablename__ = "payments_reconciliation_proposals"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    run_id: Mapped[str] = mapped_column(String(40))
    seq: Mapped[int] = mapped_column(Integer)
    enterprise_party_id: Mapped[str] = mapped_column(String(64))
    statement_id: Mapped[str] = mapped_column(String(40))
    entry_seq: Mapped[int] = mapped_column(Integer)
    items: Mapped[list[list[Any]]] = mapped_column(JSON, doc="[[item id, cents], …]")
    confidence_bp: Mapped[int] = mapped_column(Integer, doc="confidence in basis points")
    rule: Mapped[str] = mapped_column(String(80))
    residual_cents: Mapped[int] = mapped_column(BigInteger)
    decision: Mapped[str] = mapped_column(String(8), doc="auto or review")
    state: Mapped[str] = mapped_column(String(10), doc="preview, pending, review, applied, rejected")
    decided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (
        UniqueConstraint("run_id", "seq"),
        Index("ix_payments_reconciliation_proposals_queue", "enterprise_party_id", "state"),
    )


class Match(Base):
    """An applied match: this much of an entry paid this item. Once per (entry, item)."""

    __tablename__ = "payments_reconciliation_matches"

    statement_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    entry_seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
    cents: Mapped[int] = mapped_column(BigInteger)
    proposal_id: Mapped[str] = mapped_column(String(40))
    matched_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class RejectedPair(Base):
    """A pair a reviewer rejected: never proposed again."""

    __tablename__ = "payments_reconciliation_rejections"

    statement_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    entry_seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    rejected_by: Mapped[str] = mapped_column(String(64))
    rejected_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
