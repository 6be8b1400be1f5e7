"""Products (SKUs) an enterprise keeps in overseas warehouses, with their customs fields."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.logistics.base import Base
from shared.sqltypes import Money, UTCDateTime


class Product(Base):
    """One SKU of one owner (the enterprise whose goods they are)."""

    __tablename__ = "logistics_products"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_party_id: Mapped[str] = mapped_column(String(64))
    sku: Mapped[str] = mapped_column(String(64), doc="the owner's own SKU code")
    name_zh: Mapped[str] = mapped_column(String(200), doc="declared name in Chinese (申报中文品名)")
    name_en: Mapped[str] = mapped_column(String(200), doc="declared name in English")
    hs_code: Mapped[str] = mapped_column(String(10))
    declared_value: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), doc="ISO 4217")
    origin_country: Mapped[str] = mapped_column(String(2), doc="ISO 3166-1 alpha-2")
    battery: Mapped[str] = mapped_column(String(24), doc="none, or how a lithium battery travels")
    weight_g: Mapped[int] = mapped_column(Integer)
    length_mm: Mapped[int] = mapped_column(Integer)
    width_mm: Mapped[int] = mapped_column(Integer)
    height_mm: Mapped[int] = mapped_column(Integer)
    barcode: Mapped[str | None] = mapped_column(String(14), nullable=True)
    brand: Mapped[str | None] = mapped_column(String(100), nullable=True)
    material: Mapped[str | None] = mapped_column(String(100), nullable=True)
    purpose: Mapped[str | None] = mapped_column(String(100), nullable=True)
    status: Mapped[str] = mapped_column(String(8))
    revision: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("owner_party_id", "sku"),)
