"""Tables of API credentials and the nonces they have used."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.gateway.base import Base
from shared.sqltypes import UTCDateTime


class ApiCredential(Base):
    """A key id + secret of one party; the secret is sealed (AES-256-GCM), never stored in clear."""

    __tablename__ = "api_credentials"

    key_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"), index=True)
    sealed_secret: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(8))
    label: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class UsedNonce(Base):
    """A nonce seen for a key id (the database nonce store, used when Redis is not configured)."""

    __tablename__ = "used_nonces"

    key_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
