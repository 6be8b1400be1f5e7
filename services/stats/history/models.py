"""The consumed-event log: every event the statistics are derived from, kept verbatim."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services.stats.base import Base
from shared.sqltypes import BigIntPK, JSONText, UTCDateTime


class LoggedEvent(Base):
    """One consumed event (payload only; the envelope's id, type and time are columns).

    ``stream`` says which derived state it feeds (``document``, ``accepted``,
    ``party``, ``traffic``); ``subject`` is the aggregate it is about (a document id,
    a party id), so a document's whole history is one indexed read.
    """

    __tablename__ = "stats_event_log"

    seq: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(128), unique=True)
    event_type: Mapped[str] = mapped_column(String(200))
    stream: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(128))
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    data: Mapped[Any] = mapped_column(JSONText)
    logged_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_stats_event_log_stream_subject", "stream", "subject"),)
