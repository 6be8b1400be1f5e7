"""SQL of settlement."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from services.payments.base import table_of
from services.payments.settlement.models import Settlement
from shared.kit.pagination import Keyset, PageRequest
from shared.kit.repository import Repository


class SettlementRepository(Repository):
    """Every statement of settlement."""

    async def by_reference(self, institution: str, reference: str) -> Settlement | None:
        """A settlement recorded under this reference."""
        return await self.session.scalar(
            select(Settlement).where(
                Settlement.institution_party_id == institution, Settlement.reference == reference
            )
        )

    async def add(self, row: dict[str, Any]) -> bool:
        """Store one; False if a concurrent request stored its reference first."""
        return await self.insert_ignore(table_of(Settlement), row) == 1

    async def get(self, settlement_id: str) -> Settlement | None:
        """One settlement."""
        return await self.session.get(Settlement, settlement_id)

    async def page_of(
        self, request: PageRequest, enterprises: list[str], transaction_id: str | None
    ) -> tuple[list[Settlement], str | None]:
        """A page of settlements of these enterprises, newest first."""
        stmt = select(Settlement).where(Settlement.enterprise_party_id.in_(enterprises or [""]))
        if transaction_id:
            stmt = stmt.where(Settlement.transaction_id == transaction_id)
        t = table_of(Settlement)
        keyset = Keyset([t.c.settled_at, t.c.id], ["datetime", "str"])
        return await self.page(stmt, keyset, request, key=lambda r: (r.settled_at, r.id))
