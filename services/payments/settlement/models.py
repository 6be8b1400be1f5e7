"""Settlements of receipts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.payments.base import Base
from shared.sqltypes import Money, UTCDateTime


class Settlement(Base):
    """Part (or all) of a receipt settled: converted into CNY, or settled in RMB."""

    __tablename__ = "payments_settlements"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    institution_party_id: Mapped[str] = mapped_column(String(64))
    reference: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64))
    transaction_id: Mapped[str] = mapped_column(String(40), index=True)
    enterprise_party_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(4))
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    rate: Mapped[Decimal] = mapped_column(Money)
    amount_cny: Mapped[Decimal] = mapped_column(Money)
    settled_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("institution_party_id", "reference"),
        Index("ix_payments_settlements_enterprise", "enterprise_party_id", "kind", "settled_at"),
    )
