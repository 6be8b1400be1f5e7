"""What a document's contribution adds to each aggregate table (pure).

A document's contribution changes as a whole (from ``old`` to ``new``), so each table
gets "minus old, plus new" on the keys :func:`project` gives.
"""

from __future__ import annotations

from typing import Any

from services.stats.aggregates.models import AggregateSpec
from services.stats.facts.rules import Contribution
from services.stats.periods import grain_start

Key = tuple[Any, ...]


def project(spec: AggregateSpec, contribution: Contribution) -> list[tuple[Key, dict[str, int]]]:
    """The (key, measures) rows ``contribution`` adds to ``spec``'s table."""
    time = grain_start(contribution.business_day, spec.grain)
    dims = contribution.dims()
    if not spec.chapters:
        values = {spec.time_column: time, **{d: dims[d] for d in spec.dims}}
        return [(tuple(values[k] for k in spec.key), contribution.measures())]
    rows = []
    for chapter, value_fen, lines in contribution.chapters:
        values = {
            spec.time_column: time,
            "chapter": chapter,
            **{d: dims[d] for d in spec.dims if d != "chapter"},
        }
        rows.append(
            (tuple(values[k] for k in spec.key), {"documents": 1, "lines": lines, "value_fen": value_fen})
        )
    return rows
