"""Tables of the declaration service."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.models import declarative_base
from shared.sqltypes import Money, UTCDateTime

Base = declarative_base()
metadata = Base.metadata


class OrderDocument(Base):
    """An e-commerce order filed through the JSON intake (the foundation's slice)."""

    __tablename__ = "order_documents"
    __table_args__ = (UniqueConstraint("ebp_code", "order_no"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    party_id: Mapped[str] = mapped_column(String(64), index=True)
    order_no: Mapped[str] = mapped_column(String(60))
    ebp_code: Mapped[str] = mapped_column(String(18))
    ebc_code: Mapped[str] = mapped_column(String(18))
    mode: Mapped[str] = mapped_column(String(4))
    direction: Mapped[str] = mapped_column(String(6))
    currency: Mapped[str] = mapped_column(String(3))
    goods_value: Mapped[Decimal] = mapped_column(Money)
    value_cny: Mapped[Decimal] = mapped_column(Money)
    cny_rate: Mapped[Decimal] = mapped_column(Money)
    country: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
