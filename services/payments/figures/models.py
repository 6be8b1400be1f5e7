"""The last published revision of each figure (so the next one is higher)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.payments.base import Base
from shared.sqltypes import UTCDateTime


class FigureRevision(Base):
    """One published figure: kind, subject, period and its revision."""

    __tablename__ = "payments_figure_revisions"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True, doc="rmb_year, volume_year, funds_month")
    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
