"""Tables of the annual retail import quota.

Amounts are integers of 0.00001 CNY (the customs N19,5 precision): SQLite has no
exact decimal arithmetic, and the quota is added to and compared in SQL.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Index, Integer, String
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


class QuotaLookup(Base):
    """The audit of one quota-left lookup: who asked, about which buyer (keyed hash), and when.

    Append-only; kept for every lookup, answered or refused (404), so that a filer probing
    ID numbers it never filed for shows up here.
    """

    __tablename__ = "quota_lookups"
    __table_args__ = (Index("ix_quota_lookups_party_at", "party_id", "looked_up_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    party_id: Mapped[str] = mapped_column(String(64))
    buyer_hash: Mapped[str] = mapped_column(String(64), index=True)
    year: Mapped[int] = mapped_column(Integer)
    answered: Mapped[bool] = mapped_column(Boolean, doc="False when refused (never filed for)")
    request_id: Mapped[str | None] = mapped_column(String(64))
    looked_up_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
