"""The customs inventories the logistics service knows, from the declaration service's events.

Overseas-warehouse goods (9810) are linked to the export inventories that carried them,
and a return is allowed within a window counted from the inventory's release; both read
this table. It is a mirror kept by the declaration events, never written by a request.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.logistics.base import Base
from shared.sqltypes import Money, UTCDateTime


class CustomsInventory(Base):
    """An inventory (清单) as its events describe it: who, which mode, its status, when released."""

    __tablename__ = "logistics_customs_inventories"

    document_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    invt_no: Mapped[str | None] = mapped_column(String(20), nullable=True, doc="customs' inventory number")
    business_no: Mapped[str] = mapped_column(String(64), doc="copNo or invtNo as filed")
    message_type: Mapped[str] = mapped_column(String(8))
    party_id: Mapped[str] = mapped_column(String(64), doc="the declaring party")
    ebc_code: Mapped[str | None] = mapped_column(String(18), nullable=True)
    mode: Mapped[str | None] = mapped_column(String(4), nullable=True)
    direction: Mapped[str] = mapped_column(String(6))
    status: Mapped[str] = mapped_column(String(32))
    status_rank: Mapped[int] = mapped_column(Integer)
    released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    value: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), doc="customs code (142 = CNY)")
    country: Mapped[str | None] = mapped_column(String(3), nullable=True)
    logistics_no: Mapped[str | None] = mapped_column(String(64), nullable=True)
    returned_value: Mapped[Decimal] = mapped_column(Money, doc="value customs accepted back (returns)")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_logistics_customs_inventories_invt_no", "invt_no"),
        Index("ix_logistics_customs_inventories_business_no", "business_no"),
    )


class CustomsReturn(Base):
    """A return customs accepted for an inventory (``InventoryReturned``), once per return id."""

    __tablename__ = "logistics_customs_returns"

    return_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    document_id: Mapped[str] = mapped_column(String(128))
    returned_value: Mapped[Decimal] = mapped_column(Money)
    accepted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_logistics_customs_returns_document", "document_id"),)
