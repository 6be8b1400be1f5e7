"""The return windows and grading rules, without a database."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from services.logistics.returns import rules


def test_an_export_window_runs_one_year_from_release() -> None:
    window = rules.window("export", dt.date(2026, 3, 10), 30)
    assert (window.opens_on, window.closes_on) == (dt.date(2026, 3, 10), dt.date(2027, 3, 10))
    assert window.admits(dt.date(2027, 3, 10)) and not window.admits(dt.date(2027, 3, 11))


def test_a_release_on_29_february_closes_on_28_february() -> None:
    assert rules.window("export", dt.date(2028, 2, 29), 30).closes_on == dt.date(2029, 2, 28)


def test_an_import_window_is_customs_days_after_release() -> None:
    window = rules.window("import", dt.date(2026, 3, 10), 30)
    assert window.closes_on == dt.date(2026, 4, 9)
    assert not window.admits(dt.date(2026, 3, 9))


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 12, 31)), st.integers(1, 365))
def test_every_window_admits_its_release_day_and_no_day_before(released: dt.date, days: int) -> None:
    for direction in ("export", "import"):
        window = rules.window(direction, released, days)
        assert window.admits(released) and not window.admits(released - dt.timedelta(days=1))
        assert 365 <= (window.closes_on - released).days <= 366 if direction == "export" else True


@given(st.integers(0, 50), st.integers(-5, 60), st.integers(-5, 60))
def test_grading_never_exceeds_the_units_announced(quantity: int, sellable: int, unsellable: int) -> None:
    refused = rules.grading_problems(quantity, sellable, unsellable)
    assert (refused is None) == (sellable >= 0 and unsellable >= 0 and sellable + unsellable <= quantity)


def test_only_a_requested_return_may_be_cancelled() -> None:
    assert rules.may_move("requested", rules.Status.CANCELLED)
    assert not any(rules.may_move(s, rules.Status.CANCELLED) for s in ("in_transit", "received", "filed"))
