"""Keeping the aggregate tables equal to the GROUP BY of the counted facts.

Incrementally: a document's contribution changes as a whole (from ``old`` to ``new``), so
each table gets "minus old, plus new" on the keys involved; rows whose document count
reaches zero are deleted, exactly as if they had never been aggregated.

And wholesale: the full rebuild (after the facts were replayed from the event log) and the
benchmark loader (after COPY) recompute every table from the facts in set-based SQL. The
incremental maintenance must end in exactly these rows: the rebuild test compares them.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.aggregates.models import SPECS
from services.stats.aggregates.repository import AggregateRepository
from services.stats.aggregates.rules import Key, project
from services.stats.facts.rules import Contribution
from services.stats.parties.repository import PartyRepository


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


async def rebuild_aggregates(session: AsyncSession) -> None:
    """All aggregate tables and first activity from the facts."""
    await AggregateRepository.from_session(session).rebuild_all()
    await PartyRepository.from_session(session).rebuild_first_activity()
