"""The subscriptions table."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services.logistics.base import Base
from shared.sqltypes import UTCDateTime


class Subscription(Base):
    """A party's wish to hear about some of its shipments."""

    __tablename__ = "tracking_subscriptions"
    __table_args__ = (
        Index("ix_tracking_subscriptions_scope", "scope", "value"),
        Index("ix_tracking_subscriptions_party", "party_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    party_id: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(16), doc="all, order_no, logistics_no or tracking_number")
    value: Mapped[str | None] = mapped_column(String(64), nullable=True)
    kinds: Mapped[list[str]] = mapped_column(JSON)
    codes: Mapped[list[str]] = mapped_column(JSON, doc="the subscriber's codes when it subscribed")
    roles: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(8), doc="active or paused")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
