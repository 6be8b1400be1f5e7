"""Signed evidence packages, kept (a bank must be able to show what it relied on, years later)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.payments.base import Base
from shared.sqltypes import UTCDateTime


class EvidencePackage(Base):
    """One version of a transaction's evidence package, as signed."""

    __tablename__ = "payments_evidence_packages"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    transaction_id: Mapped[str] = mapped_column(String(40), index=True)
    version: Mapped[int] = mapped_column(Integer)
    content_digest: Mapped[str] = mapped_column(String(80), doc="digest of the content, times excluded")
    sha256: Mapped[str] = mapped_column(String(80), doc="digest of the signed payload")
    kid: Mapped[str] = mapped_column(String(64))
    jws: Mapped[str] = mapped_column(Text)
    assembled_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("transaction_id", "version"),)
