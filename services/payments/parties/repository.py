"""SQL of the party mirror."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, update

from services.payments.base import table_of
from services.payments.parties.models import Party
from shared.kit.repository import ModelRepository


class PartyRepository(ModelRepository[Party]):
    """Reads and writes of ``payments_parties``."""

    model = Party

    async def save(self, row: dict[str, Any]) -> None:
        """Insert or overwrite a party."""
        await self.upsert(table_of(Party), row, ("party_id",))

    async def set_status(self, party_id: str, status: str, at: Any) -> None:
        """Suspend or reactivate."""
        await self.session.execute(
            update(Party).where(Party.party_id == party_id).values(status=status, updated_at=at)
        )

    async def many(self, party_ids: Iterable[str]) -> dict[str, Party]:
        """The known parties among ``party_ids``."""
        wanted = sorted(set(party_ids))
        if not wanted:
            return {}
        rows = await self.session.scalars(select(Party).where(Party.party_id.in_(wanted)))
        return {row.party_id: row for row in rows}

    async def by_uscc_or_code(self, codes: Iterable[str]) -> dict[str, Party]:
        """Parties by their USCC or customs code (SAFE's lists name firms by USCC)."""
        wanted = sorted({c.strip().upper() for c in codes if c.strip()})
        if not wanted:
            return {}
        rows = await self.session.scalars(
            select(Party).where(Party.uscc.in_(wanted) | Party.customs_code.in_(wanted))
        )
        found: dict[str, Party] = {}
        for row in rows:
            found[row.uscc.upper()] = row
            if row.customs_code:
                found[row.customs_code.upper()] = row
        return found
