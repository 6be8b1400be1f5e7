"""Tables of the annual retail import quota.

Amounts are integers of 0.00001 CNY (the customs N19,5 precision): SQLite has no
exact decimal arithmetic, and the quota is added to and compared in SQL.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.declaration.base import Base
from shared.sqltypes import UTCDateTime


class BuyerQuota(Base):
    """What one buyer (by keyed hash of the ID number) has used in one calendar year."""

    __tablename__ = "buyer_quotas"

    buyer_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    used_e5: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class QuotaUsage(Base):
    """The share of a buyer's quota one inventory holds, until it is given back."""

    __tablename__ = "quota_usages"

    document_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    buyer_hash: Mapped[str] = mapped_column(String(64), index=True)
    year: Mapped[int] = mapped_column(Integer)
    amount_e5: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10), doc="held or released")
    reserved_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    release_reason: Mapped[str | None] = mapped_column(String(200))
