"""The arithmetic of a monthly warehouse report. Pure: no session, no clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal

_TENTH = Decimal("0.1")
_MILLI = Decimal("0.001")


def hours_between(start: dt.datetime, end: dt.datetime) -> Decimal:
    """Elapsed hours, to 0.1 h."""
    return (Decimal((end - start).total_seconds()) / 3600).quantize(_TENTH, rounding=ROUND_HALF_UP)


def average(values: Sequence[Decimal]) -> Decimal | None:
    """The mean to 0.1 (None for no values)."""
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(_TENTH, rounding=ROUND_HALF_UP)


def percentile(values: Sequence[Decimal], q: int) -> Decimal | None:
    """The nearest-rank ``q``-th percentile (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-q * len(ordered) // 100))  # ceil(q·n/100)
    return ordered[rank - 1]


def volume_m3(items: Iterable[tuple[int, int, int, int]]) -> Decimal:
    """Σ units × length × width × height (mm) in cubic metres, to the litre."""
    mm3 = sum(units * length * width * height for units, length, width, height in items)
    return (Decimal(mm3) / Decimal(1_000_000_000)).quantize(_MILLI, rounding=ROUND_HALF_UP)


def valid_month(text: str, today: dt.date) -> dt.date | None:
    """The first day of a ``YYYY-MM`` month from 2000 up to the current one, or None."""
    try:
        first = dt.date.fromisoformat(f"{text}-01")
    except ValueError:
        return None
    if len(text) != 7 or first.year < 2000 or first > today.replace(day=1):
        return None
    return first


def previous_month(today: dt.date) -> str:
    """The month before ``today``'s, ``YYYY-MM``."""
    last = today.replace(day=1) - dt.timedelta(days=1)
    return f"{last:%Y-%m}"
