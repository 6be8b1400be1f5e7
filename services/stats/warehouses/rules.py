"""Certification criteria for overseas warehouses, evaluated from the warehouse's profile and
its filed monthly reports. Pure: no session, no clock (``today`` is passed in).

The criteria are data (``criteria-example.yaml``: illustrative thresholds, marked as an
example); the evaluation only says which are met and by what figure. The regulator decides.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

Level = Literal["municipal", "provincial"]
_OPS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "==": operator.eq,
    "<=": operator.le,
    "<": operator.lt,
}
EXAMPLE_CRITERIA = Path(__file__).with_name("criteria-example.yaml")


class Criterion(BaseModel):
    """One condition a level asks for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")
    description: str
    metric: Literal[
        "public",
        "has_api",
        "years_operating",
        "area_m2",
        "months_reported_12",
        "customers_served_max_12",
        "outbound_orders_12",
    ]
    op: Literal[">=", ">", "==", "<=", "<"]
    value: Decimal


class Criteria(BaseModel):
    """The criteria of each level."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    status: Literal["example", "draft", "final"]
    levels: dict[Level, list[Criterion]]


def load_criteria(path: Path = EXAMPLE_CRITERIA) -> Criteria:
    """The criteria file (YAML), validated."""
    return Criteria.model_validate(yaml.safe_load(path.read_text("utf-8")))


@dataclass(frozen=True, slots=True)
class MonthFigures:
    """What the criteria read from one filed month."""

    month: str
    complete: bool
    customers_served: int
    outbound_orders: int


def years_operating(opened_on: dt.date, today: dt.date) -> int:
    """Whole years since the start of operations."""
    years = today.year - opened_on.year - ((today.month, today.day) < (opened_on.month, opened_on.day))
    return max(0, years)


def last_12_months(today: dt.date) -> list[str]:
    """The 12 complete months before ``today``'s month, newest first."""
    months, year, month = [], today.year, today.month
    for _ in range(12):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        months.append(f"{year:04d}-{month:02d}")
    return months


def metrics(
    *,
    usage: str,
    has_api: bool,
    opened_on: dt.date,
    area_m2: Decimal,
    months: Sequence[MonthFigures],
    today: dt.date,
) -> dict[str, Decimal]:
    """Every metric a criterion may name, for one warehouse on ``today``."""
    window = set(last_12_months(today))
    filed = [m for m in months if m.month in window and m.complete]
    return {
        "public": Decimal(1 if usage == "public" else 0),
        "has_api": Decimal(1 if has_api else 0),
        "years_operating": Decimal(years_operating(opened_on, today)),
        "area_m2": area_m2,
        "months_reported_12": Decimal(len(filed)),
        "customers_served_max_12": Decimal(max((m.customers_served for m in filed), default=0)),
        "outbound_orders_12": Decimal(sum(m.outbound_orders for m in filed)),
    }


@dataclass(frozen=True, slots=True)
class Check:
    """One criterion against the warehouse's figure."""

    criterion: Criterion
    figure: Decimal
    met: bool


def evaluate(criteria: Criteria, level: Level, figures: Mapping[str, Decimal]) -> list[Check]:
    """Each criterion of the level, met or not, with the figure it was judged on."""
    return [
        Check(c, figures[c.metric], _OPS[c.op](figures[c.metric], c.value))
        for c in criteria.levels.get(level, [])
    ]


def highest_met(criteria: Criteria, figures: Mapping[str, Decimal]) -> Level | None:
    """The highest level whose every criterion is met (provincial above municipal), or None."""
    for level in ("provincial", "municipal"):
        checks = evaluate(criteria, level, figures)  # type: ignore[arg-type]  # a Level literal
        if checks and all(c.met for c in checks):
            return level  # type: ignore[return-value]
    return None


def area_use_percent(used_m2: Decimal | None, area_m2: Decimal) -> Decimal | None:
    """Area used as a percentage of the floor area, to a tenth; None when the operator declared
    no use or the profile has no area (no basis, not 0 %)."""
    if used_m2 is None or area_m2 <= 0:
        return None
    return (used_m2 * 100 / area_m2).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
