"""Every statement on ``party_codes`` (the code → party directory)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import select, update

from services.declaration.directory.models import PartyCodeEntry
from shared.kit.repository import Repository
from shared.models import table_of


class DirectoryRepository(Repository):
    """Which party each enterprise code belongs to, and whether it is active."""

    async def remember(self, party_id: str, codes: Sequence[str], status: str, now: dt.datetime) -> None:
        """Record a party's codes (a re-registration overwrites them)."""
        rows = [
            {"code": code, "party_id": party_id, "status": status, "updated_at": now}
            for code in sorted(codes)
        ]
        await self.upsert(table_of(PartyCodeEntry), rows, ("code",))

    async def set_status(self, party_id: str, status: str, now: dt.datetime) -> None:
        """A party's status on all its codes."""
        await self.session.execute(
            update(PartyCodeEntry)
            .where(PartyCodeEntry.party_id == party_id)
            .values(status=status, updated_at=now)
        )

    async def active_parties(self, codes: Iterable[str]) -> dict[str, str]:
        """``{code: party_id}`` for the active codes among ``codes`` (one query)."""
        wanted = sorted(set(codes))
        if not wanted:
            return {}
        rows = await self.session.execute(
            select(PartyCodeEntry.code, PartyCodeEntry.party_id).where(
                PartyCodeEntry.code.in_(wanted), PartyCodeEntry.status == "active"
            )
        )
        return {code: party for code, party in rows.all()}


__all__ = ["DirectoryRepository"]
