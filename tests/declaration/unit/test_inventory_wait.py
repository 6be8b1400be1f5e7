"""What an order, payment or waybill says about the inventory it awaits (pure part)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from services.declaration.matching.service import inventory_wait_view

T0 = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)
moments = st.integers(0, 400 * 86400).map(lambda seconds: T0 + dt.timedelta(seconds=seconds))


@given(now=moments)
def test_an_awaited_inventory_counts_the_wait_up_to_now(now: dt.datetime) -> None:
    view = inventory_wait_view(T0, None, now)
    assert (view["status"], view["waitedSeconds"]) == ("awaiting_inventory", int((now - T0).total_seconds()))


@given(filed=moments, now=moments)
def test_a_filed_inventory_fixes_the_wait_at_its_arrival_whenever_it_is_read(
    filed: dt.datetime, now: dt.datetime
) -> None:
    view = inventory_wait_view(T0, filed, now)
    assert (view["status"], view["waitedSeconds"]) == ("inventory_filed", int((filed - T0).total_seconds()))


def test_an_inventory_filed_before_its_partner_means_no_wait() -> None:
    view = inventory_wait_view(T0, T0 - dt.timedelta(hours=1), T0 + dt.timedelta(hours=1))
    assert view["waitedSeconds"] == 0
