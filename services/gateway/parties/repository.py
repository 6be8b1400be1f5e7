"""Queries of the party registry."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.parties.models import Party, PartyCode, PartyDelegation


class PartyRepository:
    """Reads and writes parties, their codes and delegations in the caller's session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, party_id: str) -> Party | None:
        """The party, or None."""
        return await self.session.get(Party, party_id)

    async def count(self) -> int:
        """How many parties are registered."""
        return int(await self.session.scalar(select(func.count()).select_from(Party)) or 0)

    async def by_uscc(self, uscc: str) -> Party | None:
        """The party with this USCC, or None."""
        return await self.session.scalar(select(Party).where(Party.uscc == uscc))

    async def by_customs_code(self, code: str) -> Party | None:
        """The party with this customs registration code, or None."""
        return await self.session.scalar(select(Party).where(Party.customs_code == code))

    async def page(
        self, *, after: str | None, limit: int, status: str | None = None, role: str | None = None
    ) -> list[Party]:
        """Parties ordered by id, after the cursor (keyset pagination)."""
        query = select(Party).order_by(Party.id).limit(limit)
        if after:
            query = query.where(Party.id > after)
        if status:
            query = query.where(Party.status == status)
        parties = list((await self.session.scalars(query)).all())
        # Roles are a JSON list; filtering here keeps one code path for SQLite and PostgreSQL.
        return [p for p in parties if role is None or role in p.roles]

    async def codes_of(self, party_ids: Sequence[str]) -> dict[str, list[PartyCode]]:
        """Registered codes per party."""
        result: dict[str, list[PartyCode]] = {pid: [] for pid in party_ids}
        if party_ids:
            rows = await self.session.scalars(
                select(PartyCode).where(PartyCode.party_id.in_(party_ids)).order_by(PartyCode.code)
            )
            for row in rows:
                result[row.party_id].append(row)
        return result

    async def merchants_of(self, party_ids: Sequence[str]) -> dict[str, list[str]]:
        """Merchant party ids each platform may file for."""
        result: dict[str, list[str]] = {pid: [] for pid in party_ids}
        if party_ids:
            rows = await self.session.scalars(
                select(PartyDelegation)
                .where(PartyDelegation.platform_party_id.in_(party_ids))
                .order_by(PartyDelegation.merchant_party_id)
            )
            for row in rows:
                result[row.platform_party_id].append(row.merchant_party_id)
        return result

    async def code(self, code: str) -> PartyCode | None:
        """The registration of ``code``, or None."""
        return await self.session.get(PartyCode, code)

    async def remove_code(self, party_id: str, code: str) -> bool:
        """Unregister ``code`` from ``party_id``; False if it was not theirs."""
        result = await self.session.execute(
            delete(PartyCode).where(PartyCode.party_id == party_id, PartyCode.code == code)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def delegation(self, platform_id: str, merchant_id: str) -> PartyDelegation | None:
        """The delegation, or None."""
        return await self.session.get(PartyDelegation, (platform_id, merchant_id))

    async def remove_delegation(self, platform_id: str, merchant_id: str) -> bool:
        """Withdraw a delegation; False if there was none."""
        result = await self.session.execute(
            delete(PartyDelegation).where(
                PartyDelegation.platform_party_id == platform_id,
                PartyDelegation.merchant_party_id == merchant_id,
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
