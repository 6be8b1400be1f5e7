"""Every SQL statement over the facts: one document's statistical state and its HS chapters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import delete, select

from services.stats.base import table_of
from services.stats.facts.models import Fact, FactChapter
from shared.kit.repository import Repository


class FactRepository(Repository):
    """``stats_facts`` and ``stats_fact_chapters``."""

    async def get(self, document_id: str) -> Fact | None:
        """A document's fact, or None."""
        return await self.session.get(Fact, document_id)

    async def chapters(self, document_id: str) -> list[FactChapter]:
        """A document's HS chapters."""
        stmt = select(FactChapter).where(FactChapter.document_id == document_id)
        return list((await self.session.scalars(stmt)).all())

    async def keep(self, row: dict[str, object]) -> None:
        """Insert or replace a document's fact."""
        await self.upsert(table_of(Fact), row, ("document_id",))

    async def replace_chapters(self, document_id: str, rows: list[dict[str, Any]]) -> None:
        """A document's HS chapters are these rows (none: it has none)."""
        await self.session.execute(delete(FactChapter).where(FactChapter.document_id == document_id))
        if rows:
            await self.session.execute(table_of(FactChapter).insert(), rows)

    async def counted_in(self, currencies: Collection[str], since: dt.date) -> list[str]:
        """Ids of the counted facts in these currencies from ``since`` on."""
        stmt = select(Fact.document_id).where(
            Fact.currency.in_(currencies), Fact.counted, Fact.business_day >= since
        )
        return list((await self.session.scalars(stmt)).all())

    async def insert_many(self, facts: list[dict[str, object]], chapters: list[dict[str, object]]) -> None:
        """Bulk insert facts and chapters (the rebuild, into emptied tables)."""
        if facts:
            await self.session.execute(table_of(Fact).insert(), facts)
        if chapters:
            await self.session.execute(table_of(FactChapter).insert(), chapters)

    def forget(self, *rows: Fact | FactChapter) -> None:
        """Drop rows from the identity map, so later reads see what an upsert wrote."""
        for row in rows:
            self.session.expunge(row)
