"""The append-only audit log, and the hours whose traffic has been counted."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.gateway.base import Base
from shared.sqltypes import BigIntPK, UTCDateTime


class AuditEntry(Base):
    """One call through the gateway: who, which operation, which object, outcome, request id, time."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    request_id: Mapped[str] = mapped_column(String(64), index=True)
    client_request_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    party_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    credential_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    auth_method: Mapped[str | None] = mapped_column(String(10), nullable=True)
    operation: Mapped[str] = mapped_column(String(100))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(2000))
    object_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(20))
    problem_code: Mapped[str | None] = mapped_column(String(100), nullable=True)
    duration_us: Mapped[int] = mapped_column(Integer)


class TrafficHour(Base):
    """An hour whose per-party call counts were published (ApiTrafficCounted), so never twice."""

    __tablename__ = "traffic_hours"

    party_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    hour_start: Mapped[dt.datetime] = mapped_column(UTCDateTime, primary_key=True)
    calls: Mapped[int] = mapped_column(Integer)
    errors: Mapped[int] = mapped_column(Integer)
    counted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
