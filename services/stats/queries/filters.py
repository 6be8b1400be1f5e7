"""The filters every regulator query accepts, parsed once from the query string.

``from``/``to`` are Beijing calendar days, inclusive (default: the current year).
Every dimension takes one value or a comma-separated list: ``mode=1210,9610``.
``party`` filters enterprises (regulators only; an enterprise is always limited to
itself). ``-`` stands for "unknown" (an inventory without a partner country, say).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Query

from services.stats.base import UNKNOWN
from services.stats.periods import business_day, month_end
from shared.problems import VALIDATION_FAILED, ProblemError

DIMENSIONS = ("party_id", "mode", "direction", "country", "district", "park", "currency", "chapter")
PUBLIC_NAMES = {"party_id": "party"}
"""Query-string and column names differ only for the party."""

_MAX_DAYS = 366 * 10

PERIOD_PATTERN = r"^([0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?)?$"
"""A day, a month or a year (empty: the default); the calendar check follows in :func:`_date`."""


@dataclass(frozen=True)
class Filters:
    """A period and the accepted values of each filtered dimension."""

    first: dt.date
    last: dt.date
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def with_party(self, party_id: str | None) -> Filters:
        """The same filters, limited to one party (the caller's scope)."""
        if party_id is None:
            return self
        return Filters(self.first, self.last, {**self.values, "party_id": (party_id,)})

    def with_period(self, first: dt.date, last: dt.date) -> Filters:
        return Filters(first, last, dict(self.values))

    @property
    def dims(self) -> set[str]:
        return set(self.values)

    def describe(self) -> dict[str, object]:
        """For responses and export headers."""
        return {
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            **{PUBLIC_NAMES.get(k, k): [v or "-" for v in vs] for k, vs in sorted(self.values.items())},
        }


def _split(raw: str | None) -> tuple[str, ...]:
    if raw is None:
        return ()
    values = tuple(
        dict.fromkeys(UNKNOWN if v.strip() == "-" else v.strip() for v in raw.split(",") if v.strip())
    )
    if len(values) > 200:
        raise ProblemError(VALIDATION_FAILED, "At most 200 values per filter.")
    return values


def _date(raw: str | None, name: str, default: dt.date) -> dt.date:
    if raw is None or raw == "":
        return default
    try:
        if len(raw) == 7:  # 2026-11 means the month: its first day for "from", its last for "to"
            first = dt.date.fromisoformat(f"{raw}-01")
            if name == "to":
                return month_end(first)
            return first
        if len(raw) == 4:
            return dt.date(int(raw), 1, 1) if name == "from" else dt.date(int(raw), 12, 31)
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ProblemError(
            VALIDATION_FAILED,
            f"'{name}' must be a date (YYYY-MM-DD), a month (YYYY-MM) or a year.",
            errors=[{"pointer": f"/query/{name}", "detail": "not a date"}],
        ) from None


def today() -> dt.date:
    """Today in Beijing."""
    return business_day(dt.datetime.now(dt.UTC))


def common_filters(
    from_: Annotated[
        str | None,
        Query(alias="from", description="first day (YYYY-MM-DD, YYYY-MM or YYYY)", pattern=PERIOD_PATTERN),
    ] = None,
    to: Annotated[
        str | None,
        Query(description="last day, inclusive (YYYY-MM-DD, YYYY-MM or YYYY)", pattern=PERIOD_PATTERN),
    ] = None,
    party: Annotated[str | None, Query(description="party ids (regulators)")] = None,
    mode: Annotated[str | None, Query(description="1210, 1239, 9610, 9710, 9810")] = None,
    direction: Annotated[str | None, Query(description="import, export")] = None,
    country: Annotated[str | None, Query(description="partner country (customs code)")] = None,
    district: Annotated[str | None, Query(description="district id")] = None,
    park: Annotated[str | None, Query(description="park or incubator id")] = None,
    currency: Annotated[str | None, Query(description="customs currency code")] = None,
    chapter: Annotated[str | None, Query(description="HS chapter (chapter queries only)")] = None,
) -> Filters:
    """FastAPI dependency: the filters of a query."""
    now = today()
    first = _date(from_, "from", dt.date(now.year, 1, 1))
    # The whole year, not "to date": there are no future facts, and whole years and months
    # let the planner use the yearly and monthly tables.
    last = _date(to, "to", dt.date(now.year, 12, 31))
    if last < first:
        raise ProblemError(
            VALIDATION_FAILED,
            "'to' is before 'from'.",
            errors=[{"pointer": "/query/to", "detail": "before from"}],
        )
    if (last - first).days > _MAX_DAYS:
        raise ProblemError(VALIDATION_FAILED, "A query covers at most ten years.")
    values = {
        name: parsed
        for name, raw in (
            ("party_id", party),
            ("mode", mode),
            ("direction", direction),
            ("country", country),
            ("district", district),
            ("park", park),
            ("currency", currency),
            ("chapter", chapter),
        )
        if (parsed := _split(raw))
    }
    return Filters(first, last, values)
