"""Keeping the aggregate tables equal to the GROUP BY of the counted facts, incrementally.

A document's contribution changes as a whole (from ``old`` to ``new``), so each
table gets "minus old, plus new" on the keys involved; rows whose document count
reaches zero are deleted, exactly as if they had never been aggregated.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.aggregates.models import SPECS, AggregateSpec
from services.stats.aggregates.repository import AggregateRepository, Key
from services.stats.facts.rules import Contribution
from services.stats.periods import grain_start


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


async def apply_delta(session: AsyncSession, old: Contribution | None, new: Contribution | None) -> None:
    """Replace ``old``'s contribution by ``new``'s in every aggregate table."""
    if old == new:
        return
    aggregates = AggregateRepository.from_session(session)
    for spec in SPECS:
        zero = dict.fromkeys(spec.measures, 0)
        deltas: dict[Key, dict[str, int]] = defaultdict(zero.copy)
        lowered: set[Key] = set()
        for sign, contribution in ((-1, old), (1, new)):
            if contribution is None:
                continue
            for key, measures in project(spec, contribution):
                for name, value in measures.items():
                    deltas[key][name] += sign * value
                if sign < 0:
                    lowered.add(key)
        rows = [
            {**dict(zip(spec.key, key, strict=True)), **measures}
            for key, measures in deltas.items()
            if any(measures.values())
        ]
        await aggregates.add_measures(spec, rows)
        await aggregates.drop_empty(spec, [key for key in lowered if any(deltas[key].values())])
