"""SQL of the party registry: parties, their enterprise codes and delegations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import ColumnElement, String, delete, func, select, type_coerce

from services.gateway.parties.models import Party, PartyCode, PartyDelegation, PartyMilestoneFiling
from shared.kit.pagination import Keyset, PageRequest
from shared.kit.repository import ModelRepository
from shared.models import table_of

#: Parties by id (ids are random, so this is no registration order; it is stable).
BY_ID = Keyset([Party.id], ["str"], descending=False)


def _has_role(role: str) -> ColumnElement[bool]:
    # ``roles`` is a JSON list kept as text (``["bank","regulator"]``) on both databases: the
    # quoted name matches exactly one element, and autoescape keeps ``_`` literal.
    return type_coerce(Party.roles, String).contains(f'"{role}"', autoescape=True)


class PartyRepository(ModelRepository[Party]):
    """Reads and writes parties, their codes and delegations in the caller's session."""

    model = Party

    async def count(self) -> int:
        """How many parties are registered."""
        return int(await self.session.scalar(select(func.count()).select_from(Party)) or 0)

    async def by_uscc(self, uscc: str) -> Party | None:
        """The party with this USCC, or None."""
        return await self.session.scalar(select(Party).where(Party.uscc == uscc))

    async def by_customs_code(self, code: str) -> Party | None:
        """The party with this customs registration code, or None."""
        return await self.session.scalar(select(Party).where(Party.customs_code == code))

    async def for_update(self, party_id: str) -> Party | None:
        """The party, its row locked until the transaction ends (PostgreSQL; SQLite is serialised)."""
        return await self.session.scalar(select(Party).where(Party.id == party_id).with_for_update())

    async def search(
        self, request: PageRequest, *, status: str | None = None, role: str | None = None
    ) -> tuple[list[Party], str | None]:
        """One page of parties by id, filtered in SQL (so a page is never cut short by a filter)."""
        query = select(Party)
        if status:
            query = query.where(Party.status == status)
        if role:
            query = query.where(_has_role(role))
        return await self.page(query, BY_ID, request, key=lambda p: (p.id,))

    async def first_with_role(self, role: str) -> str | None:
        """The id of a party holding ``role`` (the lowest id), or None."""
        return await self.session.scalar(select(Party.id).where(_has_role(role)).order_by(Party.id).limit(1))

    async def lock_transaction(self, key: int) -> None:
        """Take a transaction-scoped advisory lock on PostgreSQL (SQLite transactions are serialised)."""
        if self.dialect == "postgresql":
            await self.session.execute(select(func.pg_advisory_xact_lock(key)))

    async def every(self, *, status: str | None = None) -> list[Party]:
        """Every party by id (the operators' CLI)."""
        query = select(Party).order_by(Party.id)
        if status:
            query = query.where(Party.status == status)
        return list((await self.session.scalars(query)).all())

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

    async def merchants_of(self, party_ids: Sequence[str]) -> dict[str, list[PartyDelegation]]:
        """The delegations each agent holds (by principal id)."""
        result: dict[str, list[PartyDelegation]] = {pid: [] for pid in party_ids}
        if party_ids:
            rows = await self.session.scalars(
                select(PartyDelegation)
                .where(PartyDelegation.platform_party_id.in_(party_ids))
                .order_by(PartyDelegation.merchant_party_id)
            )
            for row in rows:
                result[row.platform_party_id].append(row)
        return result

    async def code(self, code: str) -> PartyCode | None:
        """The registration of ``code``, or None."""
        return await self.session.get(PartyCode, code)

    def add_code(self, row: PartyCode) -> None:
        """Stage a code registration (its primary key, the code, settles races at flush)."""
        self.session.add(row)

    def add_delegation(self, row: PartyDelegation) -> None:
        """Stage a delegation."""
        self.session.add(row)

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


class MilestoneFilingRepository(ModelRepository[PartyMilestoneFiling]):
    """A logistics firm's milestone filing choices (one row per firm)."""

    model = PartyMilestoneFiling

    async def settings_of(self, party_id: str) -> PartyMilestoneFiling | None:
        """The firm's row, or None when it never chose (everything ``off``)."""
        return await self.session.get(PartyMilestoneFiling, party_id)

    async def store(self, party_id: str, settings: dict[str, str], now: dt.datetime) -> None:
        """Replace the firm's choices."""
        await self.upsert(
            table_of(PartyMilestoneFiling),
            [{"party_id": party_id, "settings": settings, "updated_at": now}],
            ("party_id",),
        )
