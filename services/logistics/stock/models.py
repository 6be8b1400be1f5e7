"""Stock tables: positions (SKU × warehouse), lots (SKU × warehouse × lot) and the
append-only movement ledger.

CHECK constraints hold the invariant in the database too: whatever a statement does, no
quantity goes negative and on hand always covers committed plus unavailable.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.logistics.base import Base
from shared.sqltypes import BigIntPK, UTCDateTime


def _invariant() -> tuple[CheckConstraint, ...]:
    """The stock invariant as constraints (new objects per table: a constraint belongs to one)."""
    return (
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("committed >= 0", name="committed_not_negative"),
        CheckConstraint("unavailable >= 0", name="unavailable_not_negative"),
        CheckConstraint("on_hand - committed - unavailable >= 0", name="available_not_negative"),
    )


class StockPosition(Base):
    """What a warehouse holds of one SKU, and what open orders reserved of it."""

    __tablename__ = "logistics_stock_positions"

    warehouse_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    product_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_party_id: Mapped[str] = mapped_column(String(64))
    on_hand: Mapped[int] = mapped_column(Integer)
    committed: Mapped[int] = mapped_column(Integer)
    unavailable: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (*_invariant(), Index("ix_logistics_stock_positions_product", "product_id"))


class StockLot(Base):
    """Units of one SKU put away together, with the day they were received (ageing, FIFO)."""

    __tablename__ = "logistics_stock_lots"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    warehouse_id: Mapped[str] = mapped_column(String(32))
    product_id: Mapped[str] = mapped_column(String(32))
    owner_party_id: Mapped[str] = mapped_column(String(64))
    lot_no: Mapped[str] = mapped_column(String(64))
    received_on: Mapped[dt.date] = mapped_column(Date, doc="receipt day (local to the warehouse), kept")
    origin: Mapped[str] = mapped_column(String(12), doc="inbound, return or count")
    source_id: Mapped[str | None] = mapped_column(String(40), nullable=True, doc="the ASN or return")
    on_hand: Mapped[int] = mapped_column(Integer)
    committed: Mapped[int] = mapped_column(Integer)
    unavailable: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        *_invariant(),
        UniqueConstraint("warehouse_id", "product_id", "lot_no"),
        Index("ix_logistics_stock_lots_product", "product_id", "warehouse_id", "received_on"),
    )


class StockMovement(Base):
    """One change of stock, with its reason; rows are only ever inserted.

    ``movement_key`` is unique per warehouse: the operator's own reference for a movement
    it reports, or a key the platform derives (``outbound:<order>:<line>:reserve``), so the
    same movement sent twice is stored — and applied — once.
    """

    __tablename__ = "logistics_stock_movements"

    seq: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    warehouse_id: Mapped[str] = mapped_column(String(32))
    movement_key: Mapped[str] = mapped_column(String(120))
    product_id: Mapped[str] = mapped_column(String(32))
    owner_party_id: Mapped[str] = mapped_column(String(64))
    lot_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(40))
    quantity: Mapped[int] = mapped_column(Integer)
    d_on_hand: Mapped[int] = mapped_column(Integer)
    d_committed: Mapped[int] = mapped_column(Integer)
    d_unavailable: Mapped[int] = mapped_column(Integer)
    d_lot_committed: Mapped[int] = mapped_column(Integer)
    on_hand_after: Mapped[int] = mapped_column(Integer, doc="the position's, after this movement")
    committed_after: Mapped[int] = mapped_column(Integer)
    unavailable_after: Mapped[int] = mapped_column(Integer)
    reference_kind: Mapped[str] = mapped_column(String(12))
    reference_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    actor_party_id: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(
        String(64), doc="SHA-256 of what was asked (duplicates compare it)"
    )
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("warehouse_id", "movement_key"),
        Index("ix_logistics_stock_movements_product", "product_id", "seq"),
        Index("ix_logistics_stock_movements_wh_time", "warehouse_id", "occurred_at"),
    )
