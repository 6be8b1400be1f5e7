"""SQL of the party mirror."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import or_, select, update

from services.logistics.base import table_of
from services.logistics.parties.models import Party
from shared.kit.repository import ModelRepository


class PartyRepository(ModelRepository[Party]):
    """Reads and writes of ``logistics_parties``."""

    model = Party

    async def save(self, row: dict[str, Any]) -> None:
        """Insert or overwrite a party."""
        await self.upsert(table_of(Party), row, ("party_id",))

    async def set_status(self, party_id: str, status: str, at: dt.datetime) -> None:
        """Suspend or reactivate."""
        await self.session.execute(
            update(Party).where(Party.party_id == party_id).values(status=status, updated_at=at)
        )

    async def by_codes(self, codes: Iterable[str]) -> dict[str, Party]:
        """Active parties by their USCC or customs code."""
        wanted = sorted({c.strip().upper() for c in codes if c and c.strip()})
        if not wanted:
            return {}
        rows = await self.session.scalars(
            select(Party).where(
                or_(Party.uscc.in_(wanted), Party.customs_code.in_(wanted)), Party.status == "active"
            )
        )
        found: dict[str, Party] = {}
        for row in rows:
            found[row.uscc.upper()] = row
            if row.customs_code:
                found[row.customs_code.upper()] = row
        return found

    async def codes_of(self, party_id: str) -> list[str]:
        """The codes of one party (empty when unknown)."""
        row = await self.get(party_id)
        return [c for c in (row.uscc, row.customs_code) if c] if row else []
