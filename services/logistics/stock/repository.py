"""Every SQL statement of stock: guarded quantity updates, lots, the movement ledger.

The guarded updates are the concurrency control: ``UPDATE … SET committed = committed + q
WHERE … AND on_hand - (committed + q) - unavailable >= 0 RETURNING …`` changes the row only
if the result is a valid stock, in one statement under the row's lock, so concurrent
reservations of one SKU serialise on its position and can never oversell it (no read-then-
write window, on SQLite and PostgreSQL alike).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Table, func, select, update

from services.logistics.base import table_of
from services.logistics.stock.models import StockLot, StockMovement, StockPosition
from services.logistics.stock.rules import Delta, Quantities
from shared.kit import sql
from shared.kit.pagination import Keyset, PageRequest
from shared.kit.repository import Repository

_POSITIONS: Table = table_of(StockPosition)
_LOTS: Table = table_of(StockLot)
_MOVEMENTS: Table = table_of(StockMovement)
_LEDGER_ORDER = Keyset([_MOVEMENTS.c.seq], ["int"], descending=True)


def _guarded(table: Table, delta: Delta) -> Any:
    """The WHERE clause that admits ``delta`` only if the row stays a valid stock."""
    c = table.c
    on_hand = c.on_hand + delta.on_hand
    committed = c.committed + delta.committed
    unavailable = c.unavailable + delta.unavailable
    return (on_hand >= 0) & (committed >= 0) & (unavailable >= 0) & (on_hand - committed - unavailable >= 0)


class StockRepository(Repository):
    """Positions, lots and movements in the unit of work's session."""

    async def change_position(
        self, warehouse_id: str, product_id: str, delta: Delta, now: dt.datetime
    ) -> Quantities | None:
        """Apply ``delta`` to the position if it stays valid; its new quantities, or None."""
        c = _POSITIONS.c
        stmt = (
            update(_POSITIONS)
            .where(c.warehouse_id == warehouse_id, c.product_id == product_id, _guarded(_POSITIONS, delta))
            .values(
                on_hand=c.on_hand + delta.on_hand,
                committed=c.committed + delta.committed,
                unavailable=c.unavailable + delta.unavailable,
                updated_at=now,
            )
            .returning(c.on_hand, c.committed, c.unavailable)
        )
        row = (await self.session.execute(stmt)).first()
        return None if row is None else Quantities(row[0], row[1], row[2])

    async def open_position(
        self, warehouse_id: str, product_id: str, owner_party_id: str, now: dt.datetime
    ) -> None:
        """Create the empty position if it does not exist yet."""
        await self.insert_ignore(
            _POSITIONS,
            {
                "warehouse_id": warehouse_id,
                "product_id": product_id,
                "owner_party_id": owner_party_id,
                "on_hand": 0,
                "committed": 0,
                "unavailable": 0,
                "updated_at": now,
            },
        )

    async def change_lot(self, lot_id: str, delta: Delta, now: dt.datetime) -> Quantities | None:
        """Apply ``delta`` to the lot if it stays valid; its new quantities, or None."""
        c = _LOTS.c
        stmt = (
            update(_LOTS)
            .where(c.id == lot_id, _guarded(_LOTS, delta))
            .values(
                on_hand=c.on_hand + delta.on_hand,
                committed=c.committed + delta.committed,
                unavailable=c.unavailable + delta.unavailable,
                updated_at=now,
            )
            .returning(c.on_hand, c.committed, c.unavailable)
        )
        row = (await self.session.execute(stmt)).first()
        return None if row is None else Quantities(row[0], row[1], row[2])

    async def lot_by_no(self, warehouse_id: str, product_id: str, lot_no: str) -> StockLot | None:
        """The lot with this number, or None."""
        return await self.session.scalar(
            select(StockLot).where(
                StockLot.warehouse_id == warehouse_id,
                StockLot.product_id == product_id,
                StockLot.lot_no == lot_no,
            )
        )

    async def open_lot(self, row: dict[str, Any]) -> None:
        """Create an empty lot if its (warehouse, product, lot number) is new."""
        await self.insert_ignore(_LOTS, row, conflict=("warehouse_id", "product_id", "lot_no"))

    async def lock_lot(self, lot_id: str) -> StockLot | None:
        """A lot, locked for this transaction (a count reads it, then corrects it)."""
        return await self.session.scalar(select(StockLot).where(StockLot.id == lot_id).with_for_update())

    async def lot(self, lot_id: str) -> StockLot | None:
        """A lot by id."""
        return await self.session.get(StockLot, lot_id)

    async def lots(self, warehouse_id: str, product_id: str) -> Sequence[StockLot]:
        """The lots of a position, oldest receipt first (FIFO order)."""
        return (
            await self.session.scalars(
                select(StockLot)
                .where(StockLot.warehouse_id == warehouse_id, StockLot.product_id == product_id)
                .order_by(StockLot.received_on, StockLot.id)
            )
        ).all()

    async def position(self, warehouse_id: str, product_id: str) -> StockPosition | None:
        """A position, or None."""
        return await self.session.get(StockPosition, (warehouse_id, product_id))

    async def positions_of_product(
        self, product_id: str, warehouse_ids: Collection[str] | None = None
    ) -> Sequence[StockPosition]:
        """A SKU's positions across warehouses (optionally only these)."""
        stmt = select(StockPosition).where(StockPosition.product_id == product_id)
        if warehouse_ids is not None:
            stmt = stmt.where(StockPosition.warehouse_id.in_(set(warehouse_ids)))
        return (await self.session.scalars(stmt.order_by(StockPosition.warehouse_id))).all()

    async def lots_of_product(
        self, product_id: str, warehouse_ids: Collection[str] | None = None
    ) -> Sequence[StockLot]:
        """A SKU's lots with units on hand, across warehouses, oldest first."""
        stmt = select(StockLot).where(StockLot.product_id == product_id, StockLot.on_hand > 0)
        if warehouse_ids is not None:
            stmt = stmt.where(StockLot.warehouse_id.in_(set(warehouse_ids)))
        return (await self.session.scalars(stmt.order_by(StockLot.warehouse_id, StockLot.received_on))).all()

    async def positions_in(self, warehouse_id: str) -> Sequence[StockPosition]:
        """Every position of a warehouse."""
        return (
            await self.session.scalars(
                select(StockPosition).where(StockPosition.warehouse_id == warehouse_id)
            )
        ).all()

    async def lots_in(self, warehouse_id: str) -> Sequence[StockLot]:
        """Every lot of a warehouse with units on hand."""
        return (
            await self.session.scalars(
                select(StockLot).where(StockLot.warehouse_id == warehouse_id, StockLot.on_hand > 0)
            )
        ).all()

    # --- the ledger -------------------------------------------------------------

    async def movement(self, warehouse_id: str, movement_key: str) -> StockMovement | None:
        """The movement stored under this key, or None."""
        return await self.session.scalar(
            select(StockMovement).where(
                StockMovement.warehouse_id == warehouse_id, StockMovement.movement_key == movement_key
            )
        )

    async def append(self, row: dict[str, Any]) -> int | None:
        """Insert a movement; its sequence number, or None if its key was already taken."""
        seqs = await sql.insert_ignore_returning(
            self.session, _MOVEMENTS, row, _MOVEMENTS.c.seq, conflict=("warehouse_id", "movement_key")
        )
        return seqs[0] if seqs else None

    async def ledger_page(
        self,
        page: PageRequest,
        *,
        warehouse_ids: Collection[str] | None,
        owner_party_ids: Collection[str] | None,
        product_id: str | None = None,
        kind: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> tuple[list[StockMovement], str | None]:
        """A page of the ledger, newest first, limited to the caller's warehouses or goods."""
        stmt = select(StockMovement)
        if warehouse_ids is not None:
            stmt = stmt.where(StockMovement.warehouse_id.in_(set(warehouse_ids)))
        if owner_party_ids is not None:
            stmt = stmt.where(StockMovement.owner_party_id.in_(set(owner_party_ids)))
        if product_id:
            stmt = stmt.where(StockMovement.product_id == product_id)
        if kind:
            stmt = stmt.where(StockMovement.kind == kind)
        if since:
            stmt = stmt.where(StockMovement.occurred_at >= since)
        if until:
            stmt = stmt.where(StockMovement.occurred_at < until)
        return await self.page(stmt, _LEDGER_ORDER, page, key=lambda m: (m.seq,))

    async def reference_totals(self, reference_kind: str, reference_id: str) -> dict[tuple[str, str], int]:
        """Units moved per (product, kind) for one reference (an ASN's putaways, a return's restock)."""
        rows = await self.session.execute(
            select(StockMovement.product_id, StockMovement.kind, func.sum(StockMovement.quantity))
            .where(StockMovement.reference_kind == reference_kind, StockMovement.reference_id == reference_id)
            .group_by(StockMovement.product_id, StockMovement.kind)
        )
        return {(r[0], r[1]): int(r[2] or 0) for r in rows}
