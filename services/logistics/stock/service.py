"""Stock use cases: recording movements (the only way stock changes), and reading stock.

:func:`record` applies one movement: the guarded updates of its lot and position (refused,
with the numbers, if stock would go negative) and its ledger row, in the caller's
transaction. A movement key already stored answers the stored movement (the same movement
sent twice is applied once); the same key with different content is a 409.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from services.logistics.identifiers import new_id
from services.logistics.stock.models import StockLot, StockMovement, StockPosition
from services.logistics.stock.problems import (
    LOT_UNKNOWN,
    MOVEMENT_IN_FLIGHT,
    MOVEMENT_KEY_REUSED,
    STOCK_INSUFFICIENT,
)
from services.logistics.stock.repository import StockRepository
from services.logistics.stock.rules import (
    LOT_KINDS,
    Delta,
    LotStock,
    MovementKind,
    Quantities,
    deltas,
)
from shared.problems import ProblemError
from shared.sqltypes import utcnow


class StockShort(ProblemError):
    """A movement was refused: it would make stock negative (or commit what is not available)."""

    def __init__(self, detail: str, *, available: int, asked: int, pointer: str | None = None) -> None:
        errors = [{"pointer": pointer, "detail": detail}] if pointer else None
        super().__init__(STOCK_INSUFFICIENT, detail, errors=errors, available=available, asked=asked)
        self.available = available
        self.asked = asked


@dataclass(frozen=True)
class MovementRequest:
    """One movement to record."""

    warehouse_id: str
    product_id: str
    owner_party_id: str
    kind: MovementKind
    quantity: int
    reason: str
    movement_key: str
    reference_kind: str
    actor_party_id: str
    occurred_at: dt.datetime
    reference_id: str | None = None
    lot_id: str | None = None
    unavailable: int = 0  # ADJUST only: the signed change of unavailable units
    pointer: str | None = field(default=None, compare=False)

    def fingerprint(self) -> str:
        """What a duplicate must match: everything but who sent it and when it arrived."""
        body = {
            "warehouse": self.warehouse_id,
            "product": self.product_id,
            "kind": str(self.kind),
            "quantity": self.quantity,
            "unavailable": self.unavailable,
            "lot": self.lot_id,
            "reason": self.reason,
            "reference": [self.reference_kind, self.reference_id],
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Recorded:
    """A stored movement, and whether it was stored by an earlier identical request."""

    movement: StockMovement
    replayed: bool


async def record(session: AsyncSession, request: MovementRequest, *, may_repeat: bool = True) -> Recorded:
    """Apply and store one movement (see the module docstring).

    ``may_repeat`` False skips the duplicate lookup for keys the platform derives from an
    object that is itself new (a new order's reservation): the unique key still guards.
    """
    repo = StockRepository(session)
    fingerprint = request.fingerprint()
    if may_repeat:
        existing = await repo.movement(request.warehouse_id, request.movement_key)
        if existing is not None:
            if existing.fingerprint != fingerprint:
                raise ProblemError(
                    MOVEMENT_KEY_REUSED,
                    f"Movement key {request.movement_key!r} already stands for a {existing.kind} of "
                    f"{existing.quantity} (movement {existing.seq}).",
                    errors=[{"pointer": "/body/movement_key", "detail": "already used for another movement"}],
                )
            return Recorded(existing, replayed=True)
    change = deltas(request.kind, request.quantity, request.unavailable)
    now = utcnow()
    if request.kind in LOT_KINDS:
        if request.lot_id is None:
            raise ValueError(f"a {request.kind} movement names its lot")
        assert change.lot is not None
        if await repo.change_lot(request.lot_id, change.lot, now) is None:
            lot = await repo.lot(request.lot_id)
            if lot is None or (lot.warehouse_id, lot.product_id) != (
                request.warehouse_id,
                request.product_id,
            ):
                raise ProblemError(LOT_UNKNOWN, f"No lot {request.lot_id} of this SKU here.")
            current = Quantities(lot.on_hand, lot.committed, lot.unavailable)
            raise _short(request, current, change.lot, f"lot {lot.lot_no}")
    after = await _change_position(repo, request, change.position, now)
    stored = {
        "warehouse_id": request.warehouse_id,
        "movement_key": request.movement_key,
        "product_id": request.product_id,
        "owner_party_id": request.owner_party_id,
        "lot_id": request.lot_id,
        "kind": str(request.kind),
        "reason": request.reason,
        "quantity": request.quantity,
        "d_on_hand": change.position.on_hand,
        "d_committed": change.position.committed,
        "d_unavailable": change.position.unavailable,
        "d_lot_committed": change.lot.committed if change.lot else 0,
        "on_hand_after": after.on_hand,
        "committed_after": after.committed,
        "unavailable_after": after.unavailable,
        "reference_kind": request.reference_kind,
        "reference_id": request.reference_id,
        "actor_party_id": request.actor_party_id,
        "fingerprint": fingerprint,
        "occurred_at": request.occurred_at,
        "recorded_at": now,
    }
    seq = await repo.append(stored)
    if seq is None:
        # Someone stored this key between our lookup and now; this transaction rolls back.
        raise ProblemError(
            MOVEMENT_IN_FLIGHT, f"Movement {request.movement_key!r} was recorded concurrently."
        )
    return Recorded(StockMovement(seq=seq, **stored), replayed=False)


async def _change_position(
    repo: StockRepository, request: MovementRequest, delta: Delta, now: dt.datetime
) -> Quantities:
    if delta.on_hand > 0:
        await repo.open_position(request.warehouse_id, request.product_id, request.owner_party_id, now)
    if delta.zero:
        position = await repo.position(request.warehouse_id, request.product_id)
        return (
            Quantities()
            if position is None
            else Quantities(position.on_hand, position.committed, position.unavailable)
        )
    after = await repo.change_position(request.warehouse_id, request.product_id, delta, now)
    if after is None:
        position = await repo.position(request.warehouse_id, request.product_id)
        current = (
            Quantities()
            if position is None
            else Quantities(position.on_hand, position.committed, position.unavailable)
        )
        raise _short(request, current, delta, "the warehouse")
    return after


def _short(request: MovementRequest, current: Quantities, delta: Delta, where: str) -> StockShort:
    asked = max(delta.committed, -delta.on_hand, delta.unavailable, -delta.unavailable, request.quantity)
    detail = (
        f"{request.kind} of {request.quantity} refused: {where} has {current.on_hand} on hand, "
        f"{current.committed} committed, {current.unavailable} unavailable ({current.available} available)."
    )
    return StockShort(detail, available=current.available, asked=asked, pointer=request.pointer)


async def lot_for_receipt(
    session: AsyncSession,
    *,
    warehouse_id: str,
    product_id: str,
    owner_party_id: str,
    lot_no: str,
    received_on: dt.date,
    origin: str,
    source_id: str | None,
) -> StockLot:
    """The lot units are put away into: the existing lot with this number, or a new one.

    A lot keeps the day it was *first* received: later putaways into the same lot number do
    not make old units look young (merging moves no receipt date).
    """
    repo = StockRepository(session)
    now = utcnow()
    await repo.open_lot(
        {
            "id": new_id("lot"),
            "warehouse_id": warehouse_id,
            "product_id": product_id,
            "owner_party_id": owner_party_id,
            "lot_no": lot_no,
            "received_on": received_on,
            "origin": origin,
            "source_id": source_id,
            "on_hand": 0,
            "committed": 0,
            "unavailable": 0,
            "created_at": now,
            "updated_at": now,
        }
    )
    lot = await repo.lot_by_no(warehouse_id, product_id, lot_no)
    assert lot is not None
    return lot


def lot_stock(lot: StockLot) -> LotStock:
    """A lot row as the rules see it."""
    return LotStock(lot.id, lot.received_on, Quantities(lot.on_hand, lot.committed, lot.unavailable))


def quantities(row: StockPosition | StockLot) -> Quantities:
    """The quantities of a position or lot row."""
    return Quantities(row.on_hand, row.committed, row.unavailable)


async def lots(session: AsyncSession, warehouse_id: str, product_id: str) -> Sequence[StockLot]:
    """A position's lots, FIFO order."""
    return await StockRepository(session).lots(warehouse_id, product_id)


@dataclass(frozen=True)
class ProductStock:
    """A SKU's positions and on-hand lots across the warehouses a caller may see."""

    positions: Sequence[StockPosition]
    lots: Sequence[StockLot]


async def product_stock(
    session: AsyncSession, product_id: str, warehouse_ids: Collection[str] | None = None
) -> ProductStock:
    """A SKU across warehouses (``warehouse_ids`` None: all of them)."""
    repo = StockRepository(session)
    return ProductStock(
        await repo.positions_of_product(product_id, warehouse_ids),
        await repo.lots_of_product(product_id, warehouse_ids),
    )


async def lot_in(
    session: AsyncSession, warehouse_id: str, lot_id: str, pointer: str = "/body/lot_id"
) -> StockLot:
    """A lot of this warehouse; 422 naming ``pointer`` otherwise."""
    lot = await StockRepository(session).lot(lot_id)
    if lot is None or lot.warehouse_id != warehouse_id:
        raise ProblemError(
            LOT_UNKNOWN,
            f"No lot {lot_id} in warehouse {warehouse_id}.",
            errors=[{"pointer": pointer, "detail": "not a lot of this warehouse"}],
        )
    return lot


async def reference_totals(
    session: AsyncSession, reference_kind: str, reference_id: str
) -> dict[tuple[str, str], int]:
    """Units moved per (product, movement kind) for one reference."""
    return await StockRepository(session).reference_totals(reference_kind, reference_id)


async def existing(session: AsyncSession, warehouse_id: str, movement_key: str) -> StockMovement | None:
    """The movement already stored under this key, or None."""
    return await StockRepository(session).movement(warehouse_id, movement_key)
