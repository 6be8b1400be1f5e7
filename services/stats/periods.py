"""Business calendar of the statistics: which day a fact belongs to, and periods.

A fact belongs to the **Beijing (Asia/Shanghai) calendar day** of the moment customs
released it. Customs, the commerce bureau and the policy's "annual transaction value"
all count in Beijing time; a release at 2026-12-31T17:30Z is a 2027-01-01 fact.
Times are stored in UTC everywhere; only the day is computed here.

Periods: ``day``, ``month``, ``quarter``, ``year``; a bucket is named by its first
day, labelled ``2026-11-05``, ``2026-11``, ``2026-Q4``, ``2026``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Literal, get_args
from zoneinfo import ZoneInfo

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")

Granularity = Literal["day", "month", "quarter", "year"]
GRANULARITIES: tuple[str, ...] = get_args(Granularity)


def business_day(at: dt.datetime) -> dt.date:
    """The Beijing calendar day of an aware instant."""
    if at.tzinfo is None:
        raise ValueError("naive datetime refused")
    return at.astimezone(BUSINESS_TZ).date()


def month_start(day: dt.date) -> dt.date:
    """First day of the month of ``day``."""
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """First day of the month ``months`` after the month of ``day``."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def bucket_start(day: dt.date, granularity: str) -> dt.date:
    """First day of the ``granularity`` bucket containing ``day``."""
    if granularity == "day":
        return day
    if granularity == "month":
        return day.replace(day=1)
    if granularity == "quarter":
        return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if granularity == "year":
        return dt.date(day.year, 1, 1)
    raise ValueError(f"unknown granularity {granularity!r}")


def next_bucket(start: dt.date, granularity: str) -> dt.date:
    """First day of the bucket after the one starting at ``start``."""
    if granularity == "day":
        return start + dt.timedelta(days=1)
    step = {"month": 1, "quarter": 3, "year": 12}[granularity]
    return add_months(start, step)


def shift_bucket(start: dt.date, granularity: str, count: int) -> dt.date:
    """The bucket ``count`` buckets away (negative: earlier)."""
    if granularity == "day":
        return start + dt.timedelta(days=count)
    step = {"month": 1, "quarter": 3, "year": 12}[granularity]
    return add_months(start, step * count)


def same_bucket_last_year(start: dt.date, granularity: str) -> dt.date:
    """The bucket one year earlier (for year-on-year growth)."""
    if granularity == "day":
        try:
            return start.replace(year=start.year - 1)
        except ValueError:  # 29 February
            return start.replace(year=start.year - 1, day=28)
    return add_months(start, -12)


def buckets(first: dt.date, last: dt.date, granularity: str) -> Iterator[dt.date]:
    """Starts of every bucket overlapping [first, last]."""
    start = bucket_start(first, granularity)
    while start <= last:
        yield start
        start = next_bucket(start, granularity)


def bucket_label(start: dt.date, granularity: str) -> str:
    """Human/stable label of a bucket."""
    if granularity == "day":
        return start.isoformat()
    if granularity == "month":
        return f"{start:%Y-%m}"
    if granularity == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return str(start.year)


def month_end(day: dt.date) -> dt.date:
    """Last day of the month of ``day``."""
    return add_months(day, 1) - dt.timedelta(days=1)


def months_aligned(first: dt.date, last: dt.date) -> bool:
    """True if [first, last] is made of whole months (monthly tables can answer it)."""
    return first.day == 1 and last == month_end(last)


def years_aligned(first: dt.date, last: dt.date) -> bool:
    """True if [first, last] is made of whole years (yearly tables can answer it)."""
    return (first.month, first.day, last.month, last.day) == (1, 1, 12, 31)


def grain_start(day: dt.date, grain: str) -> dt.date:
    """The key of ``day`` in a table of ``grain`` (day, month or year)."""
    if grain == "day":
        return day
    return day.replace(day=1) if grain == "month" else day.replace(month=1, day=1)


def year_range(year: int) -> tuple[dt.date, dt.date]:
    """First and last day of ``year``."""
    return dt.date(year, 1, 1), dt.date(year, 12, 31)
