"""Parties of the platform (from the gateway's registry events)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from services.logistics.base import Base
from shared.sqltypes import UTCDateTime


class Party(Base):
    """One registered party: its codes and roles."""

    __tablename__ = "logistics_parties"

    party_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    customs_code: Mapped[str | None] = mapped_column(String(18), nullable=True, index=True)
    roles: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), doc="active or suspended")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
