"""The business calendar of the logistics service's reports: Beijing (Asia/Shanghai) days.

Reports, return windows and claim windows count in the platform's calendar, the one
customs and the commerce bureau use; times are stored in UTC.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")


def business_day(at: dt.datetime) -> dt.date:
    """The Beijing calendar day of an aware instant."""
    if at.tzinfo is None:
        raise ValueError("naive datetime refused")
    return at.astimezone(BUSINESS_TZ).date()


def day_start(day: dt.date) -> dt.datetime:
    """The UTC instant a Beijing calendar day starts."""
    return dt.datetime.combine(day, dt.time(), BUSINESS_TZ).astimezone(dt.UTC)


def month_bounds(month: str) -> tuple[dt.datetime, dt.datetime]:
    """``"2026-03"`` → the UTC instants the Beijing month starts and the next one starts."""
    first = dt.date.fromisoformat(f"{month}-01")
    following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return day_start(first), day_start(following)


def month_of(at: dt.datetime) -> str:
    """The Beijing month of an instant, ``YYYY-MM``."""
    return f"{business_day(at):%Y-%m}"


def last_day_of_month(month: str) -> dt.date:
    """The last calendar day of ``YYYY-MM``."""
    _start, end = month_bounds(month)
    return business_day(end) - dt.timedelta(days=1)
