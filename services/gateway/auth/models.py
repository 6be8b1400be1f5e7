"""The nonces signed requests have used (the database nonce store, when Redis is not configured)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from services.gateway.base import Base
from shared.sqltypes import UTCDateTime


class UsedNonce(Base):
    """A nonce seen for a key id (the database nonce store, used when Redis is not configured)."""

    __tablename__ = "used_nonces"

    key_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
