"""Working days of the platform's calendar: Monday to Friday, less the public holidays configured.

Deadlines counted in working days (an export credit insurer's 出运申报 within five working
days of shipment) use this one calendar. Weekends are never working days here; the State
Council's make-up working Saturdays (调休) are not modelled — a deadline computed without
them is at worst a day later than the strictest reading, and never falls on a weekend.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection


def is_working_day(day: dt.date, holidays: Collection[dt.date] = ()) -> bool:
    """True for Monday–Friday that is not a configured public holiday."""
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: dt.date, days: int, holidays: Collection[dt.date] = ()) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself does not count)."""
    if days < 1:
        raise ValueError("count at least one working day")
    holiday_set = frozenset(holidays)
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day, holiday_set):
            counted += 1
    return day


def previous_working_day(day: dt.date, holidays: Collection[dt.date] = ()) -> dt.date:
    """The last working day before ``day``."""
    holiday_set = frozenset(holidays)
    day -= dt.timedelta(days=1)
    while not is_working_day(day, holiday_set):
        day -= dt.timedelta(days=1)
    return day


__all__ = ["add_working_days", "is_working_day", "previous_working_day"]
