"""The return rules: windows, statuses, grading. Pure: no session, no clock.

**Windows.** An export parcel (9610, 9810) may come back within one year of its export
release (GACC announcement 2020 No. 44): through the same day of the following year
(28 February for a release on 29 February). An import parcel follows customs' own window,
the days after release the declaration service checks its CEB625 against
(its ``customs_return_window_days``, 30 by default; the logistics setting
``import_return_window_days`` must equal it).
Days are Beijing calendar days, as customs counts them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

Direction = Literal["export", "import"]
Disposition = Literal["warehouse", "china"]
Reason = Literal["buyer_remorse", "defective", "wrong_item", "undeliverable", "damaged_in_transit", "other"]


class Status(StrEnum):
    """Where a return stands."""

    REQUESTED = "requested"  # opened; the parcel has not left the buyer
    IN_TRANSIT = "in_transit"  # on its own return leg
    RECEIVED = "received"  # received into an overseas warehouse and graded (final; a parcel may
    #                        arrive before its leg was announced)
    ARRIVED_IN_CHINA = "arrived_in_china"  # back in China: the customs return filing is due
    FILED = "filed"  # customs accepted the owner's return filing (final)
    CANCELLED = "cancelled"  # final


#: Steps each status allows.
NEXT: dict[Status, frozenset[Status]] = {
    Status.REQUESTED: frozenset({Status.IN_TRANSIT, Status.RECEIVED, Status.CANCELLED}),
    Status.IN_TRANSIT: frozenset({Status.RECEIVED, Status.ARRIVED_IN_CHINA}),
    Status.ARRIVED_IN_CHINA: frozenset({Status.FILED}),
    Status.RECEIVED: frozenset(),
    Status.FILED: frozenset(),
    Status.CANCELLED: frozenset(),
}

#: The customs return message the owner files for a return to China, by direction.
FILING_MESSAGE: dict[str, Literal["CEB213", "CEB625"]] = {"export": "CEB213", "import": "CEB625"}
FILING_PATH: dict[str, str] = {"export": "/v1/customs/export/returns", "import": "/v1/customs/import/returns"}


def may_move(current: str, target: Status) -> bool:
    """True if a return in ``current`` may become ``target``."""
    return target in NEXT[Status(current)]


@dataclass(frozen=True, slots=True)
class Window:
    """The days a return may be opened in (both inclusive)."""

    opens_on: dt.date
    closes_on: dt.date

    def admits(self, day: dt.date) -> bool:
        """True if a return may be opened on ``day``."""
        return self.opens_on <= day <= self.closes_on


def _one_year_on(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def window(direction: str, released_on: dt.date, import_days: int) -> Window:
    """The return window of a parcel released on ``released_on`` (see the module docstring)."""
    if direction == "export":
        return Window(released_on, _one_year_on(released_on))
    return Window(released_on, released_on + dt.timedelta(days=import_days))


def grading_problems(quantity: int, sellable: int, unsellable: int) -> str | None:
    """Why a line's grading is refused, or None: no negative counts, no more than announced."""
    if sellable < 0 or unsellable < 0:
        return "counts cannot be negative"
    if sellable + unsellable > quantity:
        return f"{sellable + unsellable} graded but only {quantity} announced"
    return None
