"""The stock rules without a database: deltas, the invariant, FIFO allocation, counts, ageing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.logistics.stock.rules import (
    LOT_KINDS,
    LotStock,
    MovementKind,
    Quantities,
    StockRefused,
    age_days,
    ageing,
    allocate_fifo,
    apply,
    average_age,
    bucket_label,
    bucket_labels,
    count_correction,
    deltas,
    releases_for,
    shortfall,
)

K = MovementKind
DAY = dt.date(2026, 3, 1)


class Model:
    """A position with its lots, driven only through the rules (what the repository does in SQL)."""

    def __init__(self) -> None:
        self.position = Quantities()
        self.lots: dict[str, Quantities] = {}
        self.received: dict[str, dt.date] = {}
        self.reserved = 0  # units reserved by orders, allocated or not
        self.allocated = 0

    def move(self, kind: MovementKind, quantity: int, lot: str | None = None, unavailable: int = 0) -> bool:
        change = deltas(kind, quantity, unavailable)
        try:
            lot_after = apply(self.lots.get(lot, Quantities()), change.lot) if change.lot and lot else None
            position_after = apply(self.position, change.position)
        except StockRefused:
            return False
        if lot_after is not None and lot is not None:
            self.lots[lot] = lot_after
        self.position = position_after
        return True

    def check(self) -> None:
        p = self.position
        assert p.valid and p.on_hand == p.available + p.committed + p.unavailable
        for q in self.lots.values():
            assert q.valid and q.on_hand == q.available + q.committed + q.unavailable
        assert p.on_hand == sum(q.on_hand for q in self.lots.values())
        assert p.unavailable == sum(q.unavailable for q in self.lots.values())
        assert p.committed >= sum(q.committed for q in self.lots.values())
        # the lots can always serve the reservations not allocated yet
        assert sum(q.available for q in self.lots.values()) >= p.committed - sum(
            q.committed for q in self.lots.values()
        )


operation = st.tuples(
    st.sampled_from(
        [
            "receive",
            "damaged",
            "reserve",
            "release",
            "pick",
            "ship",
            "hold",
            "unhold",
            "dispose",
            "count",
            "return",
        ]
    ),
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=0, max_value=3),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(operation, min_size=1, max_size=60))
def test_no_sequence_of_movements_breaks_the_invariant_or_oversells(ops: list[tuple[str, int, int]]) -> None:
    m = Model()
    picked: list[tuple[str, int]] = []  # (lot, units) allocated and not shipped
    for name, q, n in ops:
        lot = f"L{n}"
        m.received.setdefault(lot, DAY + dt.timedelta(days=n))
        if name == "receive":
            assert m.move(K.RECEIVE, q, lot)
        elif name == "damaged":
            assert m.move(K.RECEIVE_DAMAGED, q, lot)
        elif name == "return":
            assert m.move(K.RETURN_SELLABLE if n % 2 else K.RETURN_UNSELLABLE, q, lot)
        elif name == "reserve":
            free = m.position.available
            ok = m.move(K.RESERVE, q)
            assert ok == (q <= free)  # a reservation succeeds exactly when the units are free
            m.reserved += q if ok else 0
        elif name == "release":
            unallocated = m.reserved - m.allocated
            if q <= unallocated:
                assert m.move(K.RELEASE, q)
                m.reserved -= q
        elif name == "pick":
            unallocated = m.reserved - m.allocated
            if unallocated:
                take = min(q, unallocated)
                stocks = [LotStock(k, m.received[k], v) for k, v in m.lots.items()]
                plan = allocate_fifo(stocks, take)  # never refused: the invariant guarantees the units
                for lot_id, units in plan:
                    assert m.move(K.ALLOCATE, units, lot_id)
                    picked.append((lot_id, units))
                m.allocated += take
        elif name == "ship" and picked:
            lot_id, units = picked.pop(0)
            assert m.move(K.SHIP, units, lot_id)
            m.reserved -= units
            m.allocated -= units
        elif name == "hold":
            m.move(K.HOLD, q, lot)
        elif name == "unhold":
            m.move(K.UNHOLD, q, lot)
        elif name == "dispose":
            m.move(K.DISPOSE, q, lot)
        elif name == "count" and lot in m.lots:
            # A count of q sellable units: what the service does — release the newest
            # reservations the stock no longer covers, then adjust.
            correction = count_correction(m.lots[lot], q, None)
            if correction.changes:
                sellable_delta = correction.on_hand_delta - correction.unavailable_delta
                change = deltas(K.ADJUST, sellable_delta, correction.unavailable_delta)
                short = shortfall(m.position.plus(change.position))
                assert short <= m.reserved - m.allocated  # only unallocated reservations give way
                if short:
                    assert m.move(K.RELEASE, short)
                    m.reserved -= short
                assert m.move(K.ADJUST, sellable_delta, lot, correction.unavailable_delta)
        m.check()
        assert m.reserved == m.position.committed


@given(
    st.sampled_from([k for k in MovementKind if k is not K.ADJUST]),
    st.integers(min_value=1, max_value=10_000),
)
def test_every_movement_keeps_on_hand_equal_to_its_parts(kind: MovementKind, quantity: int) -> None:
    change = deltas(kind, quantity)
    start = Quantities(50_000, 20_000, 10_000)
    for delta in (change.position, change.lot):
        if delta is not None:
            after = start.plus(delta)
            assert after.on_hand == after.available + after.committed + after.unavailable
    assert (change.lot is not None) == (kind in LOT_KINDS)


def test_a_reservation_beyond_the_available_units_is_refused() -> None:
    with pytest.raises(StockRefused, match="available -1"):
        apply(Quantities(10, 6, 3), deltas(K.RESERVE, 2).position)


def test_zero_units_are_not_a_movement() -> None:
    with pytest.raises(ValueError):
        deltas(K.RECEIVE, 0)


def test_picking_takes_the_oldest_receipt_first() -> None:
    lots = [
        LotStock("b", dt.date(2026, 2, 1), Quantities(5)),
        LotStock("a", dt.date(2026, 1, 1), Quantities(3, 1)),
        LotStock("c", dt.date(2026, 3, 1), Quantities(9)),
    ]
    assert allocate_fifo(lots, 8) == [("a", 2), ("b", 5), ("c", 1)]


def test_picking_more_than_the_lots_hold_is_refused() -> None:
    with pytest.raises(StockRefused, match="3 available units of the 4"):
        allocate_fifo([LotStock("a", DAY, Quantities(3))], 4)


@given(
    st.integers(0, 100),
    st.integers(0, 100),
    st.integers(0, 100),
    st.integers(0, 100),
    st.one_of(st.none(), st.integers(0, 100)),
)
def test_a_count_makes_the_lot_match_what_was_counted(
    free: int, committed: int, unavailable: int, counted: int, counted_unavailable: int | None
) -> None:
    lot = Quantities(free + committed + unavailable, committed, unavailable)
    correction = count_correction(lot, counted, counted_unavailable)
    after = Quantities(
        lot.on_hand + correction.on_hand_delta, lot.committed, lot.unavailable + correction.unavailable_delta
    )
    assert after.valid
    assert after.available == counted
    assert after.unavailable == (unavailable if counted_unavailable is None else counted_unavailable)
    assert after.committed == committed  # picked units are not part of a count


def test_a_shortage_releases_the_newest_reservations_first() -> None:
    assert shortfall(Quantities(10, 12, 0)) == 2
    assert releases_for(3, [("o1", 2), ("o2", 1), ("o3", 2)]) == [("o3", 2), ("o2", 1)]


def test_ageing_buckets_follow_the_receipt_day() -> None:
    on = dt.date(2026, 12, 31)
    lots = [
        LotStock("a", dt.date(2026, 12, 31), Quantities(4)),  # 0 days
        LotStock("b", dt.date(2026, 12, 1), Quantities(6)),  # 30 days
        LotStock("c", dt.date(2026, 11, 30), Quantities(5)),  # 31 days
        LotStock("d", dt.date(2025, 12, 31), Quantities(1)),  # 365 days
        LotStock("e", dt.date(2025, 12, 30), Quantities(2)),  # 366 days
        LotStock("f", dt.date(2020, 1, 1), Quantities(0)),  # nothing on hand: no age
    ]
    assert ageing(lots, on) == {"0-30": 10, "31-60": 5, "61-90": 0, "91-180": 0, "181-365": 1, ">365": 2}
    assert bucket_labels()[-1] == ">365" and bucket_label(91) == "91-180"
    # (4×0 + 6×30 + 5×31 + 1×365 + 2×366) / 18 = 1432 / 18 = 79.55… → 79.6
    assert average_age(lots, on) == Decimal("79.6")
    assert age_days(dt.date(2027, 1, 1), on) == 0
