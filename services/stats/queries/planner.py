"""Choosing the aggregate table that answers a query with the fewest rows.

A table can answer if it has every dimension the query filters or groups by and a
grain no coarser than the query needs: a period that is not made of whole months,
or a daily series, needs a daily table; a yearly table answers whole years
only. Tables are tried smallest first
(:data:`services.stats.aggregates.models.SPECS`).
"""

from __future__ import annotations

from collections.abc import Iterable

from services.stats.aggregates.models import SPECS, AggregateSpec
from services.stats.periods import months_aligned, years_aligned
from services.stats.queries.filters import Filters


def choose(
    filters: Filters, group_by: Iterable[str] = (), *, daily: bool = False, chapters: bool = False
) -> AggregateSpec:
    """The smallest table answering ``filters`` grouped by ``group_by``."""
    needed = filters.dims | set(group_by)
    if daily or not months_aligned(filters.first, filters.last):
        grain_ok = {"day"}
    elif years_aligned(filters.first, filters.last):
        grain_ok = {"day", "month", "year"}
    else:
        grain_ok = {"day", "month"}
    for spec in SPECS:
        if spec.chapters != chapters or spec.grain not in grain_ok:
            continue
        if needed <= set(spec.dims):
            return spec
    if chapters:
        raise LookupError("chapter figures are kept per month; ask for whole months")
    raise LookupError(f"no aggregate has dimensions {sorted(needed)}")
