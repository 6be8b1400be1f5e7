"""SQL of the threshold module."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select

from services.payments.base import table_of
from services.payments.threshold.models import DirectoryRegistration, SafeListEntry, ThresholdCounter
from shared.kit.pagination import Keyset, PageRequest
from shared.kit.repository import Repository


class ThresholdRepository(Repository):
    """Every statement of the threshold module."""

    async def locked_counter(
        self, enterprise: str, institution: str, year: int, empty: dict[str, Any]
    ) -> ThresholdCounter:
        """The counter, created if missing and locked for this transaction (FOR UPDATE on PostgreSQL)."""
        await self.insert_ignore(table_of(ThresholdCounter), empty)
        stmt = (
            select(ThresholdCounter)
            .where(
                ThresholdCounter.enterprise_party_id == enterprise,
                ThresholdCounter.institution_party_id == institution,
                ThresholdCounter.year == year,
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        row = await self.session.scalar(stmt)
        assert row is not None
        return row

    async def counters(
        self, *, enterprises: Sequence[str] | None, institution: str | None, year: int | None
    ) -> list[ThresholdCounter]:
        """Counters, filtered."""
        stmt = select(ThresholdCounter)
        if enterprises is not None:
            stmt = stmt.where(ThresholdCounter.enterprise_party_id.in_(list(enterprises) or [""]))
        if institution is not None:
            stmt = stmt.where(ThresholdCounter.institution_party_id == institution)
        if year is not None:
            stmt = stmt.where(ThresholdCounter.year == year)
        return list(await self.session.scalars(stmt))

    async def counters_page(
        self,
        request: PageRequest,
        *,
        enterprises: Sequence[str] | None,
        institution: str | None,
        year: int | None,
        state: str | None,
    ) -> tuple[list[ThresholdCounter], str | None]:
        """A page of counters."""
        stmt = select(ThresholdCounter)
        if enterprises is not None:
            stmt = stmt.where(ThresholdCounter.enterprise_party_id.in_(list(enterprises) or [""]))
        if institution is not None:
            stmt = stmt.where(ThresholdCounter.institution_party_id == institution)
        if year is not None:
            stmt = stmt.where(ThresholdCounter.year == year)
        if state is not None:
            stmt = stmt.where(ThresholdCounter.state == state)
        t = table_of(ThresholdCounter)
        keyset = Keyset(
            [t.c.year, t.c.enterprise_party_id, t.c.institution_party_id],
            ["int", "str", "str"],
            descending=False,
        )
        return await self.page(
            stmt, keyset, request, key=lambda r: (r.year, r.enterprise_party_id, r.institution_party_id)
        )

    async def registration(self, enterprise: str) -> DirectoryRegistration | None:
        """The enterprise's directory registration, if recorded."""
        return await self.session.get(DirectoryRegistration, enterprise)

    async def add_registration(self, row: dict[str, Any]) -> bool:
        """Record a registration once; False if one was recorded before."""
        return await self.insert_ignore(table_of(DirectoryRegistration), row) == 1

    async def replace_list(
        self, institution: str, month: str, list_type: str, rows: list[dict[str, Any]]
    ) -> None:
        """An institution's copy of one monthly list becomes ``rows`` (a re-import replaces it)."""
        await self.session.execute(
            delete(SafeListEntry).where(
                SafeListEntry.institution_party_id == institution,
                SafeListEntry.month == month,
                SafeListEntry.list_type == list_type,
            )
        )
        if rows:
            await self.session.execute(table_of(SafeListEntry).insert(), rows)

    async def lists_of(self, institution: str) -> list[SafeListEntry]:
        """The entries an institution imported, newest month first."""
        rows = await self.session.scalars(
            select(SafeListEntry)
            .where(SafeListEntry.institution_party_id == institution)
            .order_by(SafeListEntry.month.desc(), SafeListEntry.id)
        )
        return list(rows)
