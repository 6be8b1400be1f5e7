"""SQL of API credentials."""

from __future__ import annotations

from sqlalchemy import func, select

from services.gateway.credentials.models import ApiCredential
from shared.kit.pagination import Keyset, PageRequest
from shared.kit.repository import ModelRepository

#: A party's credentials, newest first.
NEWEST_FIRST = Keyset([ApiCredential.created_at, ApiCredential.key_id], ["datetime", "str"])


class CredentialRepository(ModelRepository[ApiCredential]):
    """Reads and writes ``api_credentials`` in the caller's session."""

    model = ApiCredential

    async def active_count(self, party_id: str) -> int:
        """How many active credentials the party holds."""
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(ApiCredential)
                .where(ApiCredential.party_id == party_id, ApiCredential.status == "active")
            )
            or 0
        )

    async def of_party(self, party_id: str, request: PageRequest) -> tuple[list[ApiCredential], str | None]:
        """One page of the party's credentials, newest first."""
        query = select(ApiCredential).where(ApiCredential.party_id == party_id)
        return await self.page(query, NEWEST_FIRST, request, key=lambda c: (c.created_at, c.key_id))

    async def every_of(self, party_id: str) -> list[ApiCredential]:
        """All the party's credentials, newest first (the operators' CLI)."""
        query = (
            select(ApiCredential).where(ApiCredential.party_id == party_id).order_by(*NEWEST_FIRST.order_by())
        )
        return list((await self.session.scalars(query)).all())
