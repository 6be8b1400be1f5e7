"""Recomputing every aggregate from the fact table in set-based SQL.

Used by the full rebuild (after the facts were replayed from the event log) and by
the benchmark loader (after COPY). The incremental maintenance must end in exactly
these rows: the rebuild test compares them. The statements are the repositories'
(:class:`~services.stats.aggregates.repository.AggregateRepository`,
:class:`~services.stats.parties.repository.PartyRepository`).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.aggregates.repository import AggregateRepository
from services.stats.parties.repository import PartyRepository


async def rebuild_aggregates(session: AsyncSession) -> None:
    """All aggregate tables and first activity from the facts."""
    await AggregateRepository.from_session(session).rebuild_all()
    await PartyRepository.from_session(session).rebuild_first_activity()
