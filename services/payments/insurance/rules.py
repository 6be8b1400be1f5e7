"""Export credit insurance rules — pure, no I/O.

* A shipment declaration (出运申报) is due ``working_days`` working days after the
  shipment (the customs release day, Beijing), on the platform's one working-day calendar
  (:mod:`shared.workdays`). Derived, not stored: a holiday list published late (the State
  Council announces next year's in the autumn) moves the deadlines of what is still open.
* Reminders: on the working day before the deadline (``before``), on the deadline
  (``due``), and once it has passed (``overdue``).
* A released export is declared under a policy in force on the shipment day whose buyer
  limit (approved, valid that day) names the order's buyer — by buyer code, else by name —
  in the order's destination country.
* Exposure on a limit is the unpaid part of its open declarations (prepared, submitted,
  overdue); walking them in shipment order, a declaration that takes the running exposure
  beyond the approved limit is flagged.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal

from shared.workdays import add_working_days, previous_working_day

OPEN = frozenset({"prepared", "submitted", "overdue"})


def due_on(shipment: dt.date, working_days: int, holidays: Collection[dt.date]) -> dt.date:
    """The day the shipment declaration is due: ``working_days`` working days after shipment."""
    return add_working_days(shipment, working_days, holidays)


def effective_status(stored: str, due: dt.date, today: dt.date) -> str:
    """A prepared declaration past its deadline is overdue, whether or not the check has run."""
    if stored == "prepared" and today > due:
        return "overdue"
    return stored


def reminder_stage(due: dt.date, today: dt.date, holidays: Collection[dt.date]) -> str | None:
    """Which reminder an unsubmitted declaration is at today: before, due, overdue, or none yet."""
    if today > due:
        return "overdue"
    if today == due:
        return "due"
    if today >= previous_working_day(due, holidays):
        return "before"
    return None


_NOISE = re.compile(r"[\s.,;:'\"()\-]+")


def normalise_name(name: str) -> str:
    """A company name as compared: case-folded, punctuation and spacing removed."""
    return _NOISE.sub("", name.casefold())


@dataclass(frozen=True)
class LimitCandidate:
    """A buyer limit, as matching sees it."""

    limit_id: str
    buyer_code: str
    buyer_name: str
    country: str
    valid_from: dt.date
    valid_until: dt.date
    status: str


def match_limit(
    candidates: Sequence[LimitCandidate],
    buyer_code: str | None,
    buyer_name: str | None,
    country: str | None,
    shipment: dt.date,
) -> str | None:
    """The limit covering a shipment to this buyer in this country on this day, if one does."""
    if not country or not (buyer_code or buyer_name):
        return None
    for c in sorted(candidates, key=lambda c: c.limit_id):
        if c.status != "approved" or not (c.valid_from <= shipment <= c.valid_until) or c.country != country:
            continue
        if buyer_code and c.buyer_code.strip().upper() == buyer_code.strip().upper():
            return c.limit_id
        if not buyer_code and buyer_name and normalise_name(c.buyer_name) == normalise_name(buyer_name):
            return c.limit_id
    return None


@dataclass(frozen=True)
class Exposed:
    """One open declaration of a limit: its unpaid amount in the limit's currency."""

    declaration_id: str
    shipment: dt.date
    unpaid: Decimal


def exposure(limit: Decimal, items: Sequence[Exposed]) -> tuple[Decimal, set[str]]:
    """Σ unpaid, and the declarations that took the running exposure beyond ``limit``."""
    running = Decimal(0)
    beyond: set[str] = set()
    for item in sorted(items, key=lambda i: (i.shipment, i.declaration_id)):
        running += item.unpaid
        if item.unpaid > 0 and running > limit:
            beyond.add(item.declaration_id)
    return running, beyond
