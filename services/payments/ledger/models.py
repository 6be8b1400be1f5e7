"""Ledger accounts (with their four balances) and immutable transfers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.payments.base import Base
from shared.sqltypes import BigIntPK, UTCDateTime


class LedgerAccount(Base):
    """An account of one ledger (currency); balances in integer minor units."""

    __tablename__ = "payments_ledger_accounts"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(160), unique=True, doc="e.g. ent:<party>:receivable:USD")
    ledger: Mapped[str] = mapped_column(String(3), doc="ISO 4217")
    enterprise_party_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    name: Mapped[str] = mapped_column(String(32))
    debits_pending: Mapped[int] = mapped_column(BigInteger, default=0)
    debits_posted: Mapped[int] = mapped_column(BigInteger, default=0)
    credits_pending: Mapped[int] = mapped_column(BigInteger, default=0)
    credits_posted: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_payments_ledger_accounts_enterprise", "enterprise_party_id", "ledger"),)


class LedgerTransfer(Base):
    """One transfer; never changed once written. A pending transfer is resolved at most once."""

    __tablename__ = "payments_ledger_transfers"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    debit_account_id: Mapped[int] = mapped_column(BigInteger, index=True)
    credit_account_id: Mapped[int] = mapped_column(BigInteger, index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    ledger: Mapped[str] = mapped_column(String(3))
    code: Mapped[str] = mapped_column(String(32), doc="what the transfer is for")
    flag: Mapped[str] = mapped_column(String(16))
    pending_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    reference: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("pending_id"),)
