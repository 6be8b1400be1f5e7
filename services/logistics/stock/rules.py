"""The stock rules: quantities, movements as deltas, FIFO allocation, counts and ageing.

Stock is kept at two levels:

* a **position** per SKU × warehouse — what the warehouse holds of a SKU, and what open
  orders have reserved of it (``committed``): reservations are taken here, in one
  conditional update of one row, so two orders can never take the same unit;
* a **lot** per SKU × warehouse × lot — what was put away together, with its receipt
  date (ageing, FIFO); ``committed`` on a lot is what picking allocated to it.

At both levels ``on_hand = available + committed + unavailable`` and no quantity is ever
negative. A position's ``on_hand`` and ``unavailable`` are the sums over its lots; its
``committed`` is at least the sum of its lots' (a reservation is allocated to lots only
when it is picked), so the lots always have enough available units for the reservations
not yet allocated.

Every change is a :class:`Movement` — a kind, a quantity and the deltas the kind implies
(:func:`deltas`) — in an append-only ledger. Pure: no session, no clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum


class MovementKind(StrEnum):
    """What a movement does to stock."""

    RECEIVE = "receive"  # put away sellable units into a lot
    RECEIVE_DAMAGED = "receive_damaged"  # put away units that cannot be sold (damaged on arrival)
    RETURN_SELLABLE = "return_sellable"  # a returned unit graded sellable
    RETURN_UNSELLABLE = "return_unsellable"  # a returned unit graded not sellable
    RESERVE = "reserve"  # an order takes units of the position
    RELEASE = "release"  # an order gives its reservation back (cancelled, out of stock)
    ALLOCATE = "allocate"  # picking assigns reserved units to a lot
    DEALLOCATE = "deallocate"  # a picked order is cancelled: the lot's units are free again
    SHIP = "ship"  # allocated units leave the warehouse
    HOLD = "hold"  # sellable units become unavailable (quarantine, damage found in storage)
    UNHOLD = "unhold"  # held units are sellable again
    ADJUST = "adjust"  # a stock count's correction (up or down, sellable and unsellable)
    DISPOSE = "dispose"  # unavailable units are written off (destroyed, returned to supplier)


K = MovementKind

#: Kinds that touch one lot (the others touch only the position).
LOT_KINDS = frozenset(set(MovementKind) - {K.RESERVE, K.RELEASE})


@dataclass(frozen=True, slots=True)
class Quantities:
    """On hand, committed and unavailable units of a position or a lot."""

    on_hand: int = 0
    committed: int = 0
    unavailable: int = 0

    @property
    def available(self) -> int:
        """Units free to reserve: on hand less committed and unavailable."""
        return self.on_hand - self.committed - self.unavailable

    @property
    def valid(self) -> bool:
        """Nothing negative, and on_hand = available + committed + unavailable with available ≥ 0."""
        return min(self.on_hand, self.committed, self.unavailable, self.available) >= 0

    def plus(self, delta: Delta) -> Quantities:
        """These quantities after ``delta`` (not checked)."""
        return Quantities(
            self.on_hand + delta.on_hand,
            self.committed + delta.committed,
            self.unavailable + delta.unavailable,
        )


@dataclass(frozen=True, slots=True)
class Delta:
    """A change of on hand, committed and unavailable units."""

    on_hand: int = 0
    committed: int = 0
    unavailable: int = 0

    @property
    def zero(self) -> bool:
        return self.on_hand == 0 and self.committed == 0 and self.unavailable == 0


@dataclass(frozen=True, slots=True)
class Deltas:
    """What one movement changes on the position and on its lot (None: it touches no lot)."""

    position: Delta
    lot: Delta | None


class StockRefused(ValueError):
    """A movement would make stock negative or commit units that are not available."""


def deltas(kind: MovementKind, quantity: int, unavailable: int = 0) -> Deltas:
    """The deltas of a movement of ``quantity`` units (``ADJUST``: signed on-hand change, with
    ``unavailable`` the signed change of unavailable units)."""
    if kind is not K.ADJUST and quantity <= 0:
        raise ValueError("a movement moves at least one unit")
    q = quantity
    match kind:
        case K.RECEIVE | K.RETURN_SELLABLE:
            d = Delta(on_hand=q)
            return Deltas(d, d)
        case K.RECEIVE_DAMAGED | K.RETURN_UNSELLABLE:
            d = Delta(on_hand=q, unavailable=q)
            return Deltas(d, d)
        case K.RESERVE:
            return Deltas(Delta(committed=q), None)
        case K.RELEASE:
            return Deltas(Delta(committed=-q), None)
        case K.ALLOCATE:
            return Deltas(Delta(), Delta(committed=q))
        case K.DEALLOCATE:
            return Deltas(Delta(), Delta(committed=-q))
        case K.SHIP:
            d = Delta(on_hand=-q, committed=-q)
            return Deltas(d, d)
        case K.HOLD:
            d = Delta(unavailable=q)
            return Deltas(d, d)
        case K.UNHOLD:
            d = Delta(unavailable=-q)
            return Deltas(d, d)
        case K.DISPOSE:
            d = Delta(on_hand=-q, unavailable=-q)
            return Deltas(d, d)
        case K.ADJUST:
            d = Delta(on_hand=quantity + unavailable, unavailable=unavailable)
            if d.zero:
                raise ValueError("an adjustment changes something")
            return Deltas(d, d)
    raise ValueError(f"unknown movement kind {kind!r}")  # pragma: no cover - exhaustive match


def apply(current: Quantities, delta: Delta) -> Quantities:
    """``current`` after ``delta``; :class:`StockRefused` if that breaks the invariant."""
    after = current.plus(delta)
    if not after.valid:
        raise StockRefused(
            f"on hand {after.on_hand}, committed {after.committed}, unavailable {after.unavailable} "
            f"(available {after.available}) is not a valid stock"
        )
    return after


@dataclass(frozen=True, slots=True)
class LotStock:
    """A lot as allocation and ageing see it."""

    lot_id: str
    received_on: dt.date
    quantities: Quantities


def allocate_fifo(lots: Iterable[LotStock], quantity: int) -> list[tuple[str, int]]:
    """Which lots a pick of ``quantity`` takes from: the oldest receipt first (FIFO), then by id.

    :class:`StockRefused` when the lots' available units do not cover it.
    """
    if quantity <= 0:
        raise ValueError("a pick takes at least one unit")
    plan: list[tuple[str, int]] = []
    left = quantity
    for lot in sorted(lots, key=lambda lot: (lot.received_on, lot.lot_id)):
        take = min(left, lot.quantities.available)
        if take > 0:
            plan.append((lot.lot_id, take))
            left -= take
        if left == 0:
            return plan
    raise StockRefused(f"the lots hold {quantity - left} available units of the {quantity} to pick")


@dataclass(frozen=True, slots=True)
class CountResult:
    """A count's correction of one lot: the adjustment's deltas (on hand, unavailable)."""

    on_hand_delta: int
    unavailable_delta: int

    @property
    def changes(self) -> bool:
        return self.on_hand_delta != 0 or self.unavailable_delta != 0


def count_correction(lot: Quantities, counted_sellable: int, counted_unavailable: int | None) -> CountResult:
    """The adjustment that makes a lot match a count.

    A count is of the units in the location, *excluding units already picked* (they are
    staged for their orders and counted there): after it, ``on_hand = counted_sellable +
    counted_unavailable + committed``. ``counted_unavailable`` None keeps the lot's
    unavailable units as they are.
    """
    if counted_sellable < 0 or (counted_unavailable is not None and counted_unavailable < 0):
        raise ValueError("a count is never negative")
    unavailable = lot.unavailable if counted_unavailable is None else counted_unavailable
    target = Quantities(counted_sellable + unavailable + lot.committed, lot.committed, unavailable)
    return CountResult(target.on_hand - lot.on_hand, target.unavailable - lot.unavailable)


def shortfall(position: Quantities) -> int:
    """Reserved units the position no longer holds (after a count found less): to release."""
    return max(0, -position.available)


def releases_for(shortage: int, reservations: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """Which reservations give way to a shortage: the newest first, whole reservations only.

    ``reservations`` is (order line, reserved units) oldest first; returns the lines to release.
    """
    released: list[tuple[str, int]] = []
    left = shortage
    for line, units in reversed(reservations):
        if left <= 0:
            break
        released.append((line, units))
        left -= units
    if left > 0:
        raise StockRefused("the reservations do not cover the shortage")  # the invariant was already broken
    return released


# --- ageing (库龄) --------------------------------------------------------------

#: Default bucket edges in days: 0-30, 31-60, 61-90, 91-180, 181-365, over 365 (Chukou1's ">365").
DEFAULT_BUCKETS: tuple[int, ...] = (30, 60, 90, 180, 365)


def age_days(received_on: dt.date, on: dt.date) -> int:
    """Days since the lot was received (0 on the receipt day)."""
    return max(0, (on - received_on).days)


def bucket_label(days: int, edges: Sequence[int] = DEFAULT_BUCKETS) -> str:
    """The bucket a lot of this age falls in: ``0-30``, ``31-60`` … ``>365``."""
    lower = 0
    for edge in edges:
        if days <= edge:
            return f"{lower}-{edge}"
        lower = edge + 1
    return f">{edges[-1]}"


def bucket_labels(edges: Sequence[int] = DEFAULT_BUCKETS) -> list[str]:
    """Every bucket, youngest first."""
    labels, lower = [], 0
    for edge in edges:
        labels.append(f"{lower}-{edge}")
        lower = edge + 1
    return [*labels, f">{edges[-1]}"]


def ageing(lots: Iterable[LotStock], on: dt.date, edges: Sequence[int] = DEFAULT_BUCKETS) -> dict[str, int]:
    """On-hand units per age bucket (every bucket present, youngest first)."""
    buckets = dict.fromkeys(bucket_labels(edges), 0)
    for lot in lots:
        if lot.quantities.on_hand > 0:
            buckets[bucket_label(age_days(lot.received_on, on), edges)] += lot.quantities.on_hand
    return buckets


def average_age(lots: Iterable[LotStock], on: dt.date) -> Decimal | None:
    """On-hand-weighted average age in days, to 0.1 day (None with nothing on hand)."""
    units = days = 0
    for lot in lots:
        if lot.quantities.on_hand > 0:
            units += lot.quantities.on_hand
            days += lot.quantities.on_hand * age_days(lot.received_on, on)
    if units == 0:
        return None
    return (Decimal(days) / Decimal(units)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
