"""SQL of institutions, client relations, accounts and grants."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update

from services.payments.base import table_of
from services.payments.institutions.models import (
    AccessGrant,
    ClientAccount,
    ClientRelation,
    GrantChange,
    Institution,
)
from shared.kit.pagination import Keyset, PageRequest
from shared.kit.repository import Repository

ACTIVE = "active"


class InstitutionRepository(Repository):
    """Every statement of the institutions module."""

    async def institution(self, party_id: str) -> Institution | None:
        """One institution's profile."""
        return await self.session.get(Institution, party_id)

    async def save_institution(self, row: dict[str, Any]) -> None:
        """Insert or overwrite a profile (``created_at`` is kept on overwrite)."""
        replace = [c for c in row if c not in {"party_id", "created_at"}]
        await self.upsert(table_of(Institution), row, ("party_id",), replace=replace)

    async def institutions_page(
        self, request: PageRequest, kind: str | None
    ) -> tuple[list[Institution], str | None]:
        """A page of institutions by party id."""
        stmt = select(Institution)
        if kind:
            stmt = stmt.where(Institution.kind == kind)
        keyset = Keyset([table_of(Institution).c.party_id], ["str"], descending=False)
        return await self.page(stmt, keyset, request, key=lambda r: (r.party_id,))

    async def relation(self, institution: str, enterprise: str) -> ClientRelation | None:
        """The relation between the two, if any."""
        return await self.session.get(ClientRelation, (institution, enterprise))

    async def save_relation(self, row: dict[str, Any]) -> None:
        """Start (or restart) a relation."""
        await self.upsert(
            table_of(ClientRelation),
            row,
            ("institution_party_id", "enterprise_party_id"),
            replace=["status", "since", "ended_at"],
        )

    async def end_relation(self, institution: str, enterprise: str, at: dt.datetime) -> bool:
        """End an active relation; True if one was ended."""
        result = await self.session.execute(
            update(ClientRelation)
            .where(
                ClientRelation.institution_party_id == institution,
                ClientRelation.enterprise_party_id == enterprise,
                ClientRelation.status == ACTIVE,
            )
            .values(status="ended", ended_at=at)
        )
        return bool(getattr(result, "rowcount", 0))

    async def relations_page(
        self, request: PageRequest, *, institution: str | None = None, enterprise: str | None = None
    ) -> tuple[list[ClientRelation], str | None]:
        """A page of relations of one institution or one enterprise."""
        stmt = select(ClientRelation)
        if institution:
            stmt = stmt.where(ClientRelation.institution_party_id == institution)
        if enterprise:
            stmt = stmt.where(ClientRelation.enterprise_party_id == enterprise)
        keyset = Keyset(
            [table_of(ClientRelation).c.institution_party_id, table_of(ClientRelation).c.enterprise_party_id],
            ["str", "str"],
            False,
        )
        return await self.page(
            stmt, keyset, request, key=lambda r: (r.institution_party_id, r.enterprise_party_id)
        )

    async def accounts_of(self, institution: str, enterprises: list[str]) -> dict[str, list[ClientAccount]]:
        """The accounts an institution holds for each of ``enterprises``."""
        if not enterprises:
            return {}
        rows = await self.session.scalars(
            select(ClientAccount)
            .where(
                ClientAccount.institution_party_id == institution,
                ClientAccount.enterprise_party_id.in_(enterprises),
            )
            .order_by(ClientAccount.id)
        )
        found: dict[str, list[ClientAccount]] = {}
        for row in rows:
            found.setdefault(row.enterprise_party_id, []).append(row)
        return found

    async def account_by_hash(self, institution: str, account_hash: str) -> ClientAccount | None:
        """The client account with this keyed hash at this institution."""
        return await self.session.scalar(
            select(ClientAccount).where(
                ClientAccount.institution_party_id == institution, ClientAccount.account_hash == account_hash
            )
        )

    async def add_account(self, row: dict[str, Any]) -> bool:
        """Record an account; False if the institution already holds this number."""
        return await self.insert_ignore(table_of(ClientAccount), row) == 1

    async def grant(self, enterprise: str, institution: str) -> AccessGrant | None:
        """The grant between the two, if any."""
        return await self.session.get(AccessGrant, (enterprise, institution))

    async def save_grant(self, row: dict[str, Any]) -> None:
        """Grant (or grant again)."""
        await self.upsert(
            table_of(AccessGrant),
            row,
            ("enterprise_party_id", "institution_party_id"),
            replace=["status", "granted_at", "revoked_at"],
        )

    async def revoke_grant(self, enterprise: str, institution: str, at: dt.datetime) -> bool:
        """Revoke an active grant; True if one was revoked."""
        result = await self.session.execute(
            update(AccessGrant)
            .where(
                AccessGrant.enterprise_party_id == enterprise,
                AccessGrant.institution_party_id == institution,
                AccessGrant.status == ACTIVE,
            )
            .values(status="revoked", revoked_at=at)
        )
        return bool(getattr(result, "rowcount", 0))

    async def grants_page(
        self,
        request: PageRequest,
        *,
        enterprise: str | None = None,
        institution: str | None = None,
        status: str | None = None,
    ) -> tuple[list[AccessGrant], str | None]:
        """A page of grants of one enterprise (or to one institution)."""
        stmt = select(AccessGrant)
        if status:
            stmt = stmt.where(AccessGrant.status == status)
        if enterprise:
            stmt = stmt.where(AccessGrant.enterprise_party_id == enterprise)
        if institution:
            stmt = stmt.where(AccessGrant.institution_party_id == institution)
        keyset = Keyset(
            [table_of(AccessGrant).c.enterprise_party_id, table_of(AccessGrant).c.institution_party_id],
            ["str", "str"],
            False,
        )
        return await self.page(
            stmt, keyset, request, key=lambda r: (r.enterprise_party_id, r.institution_party_id)
        )

    async def log_grant_change(self, row: dict[str, Any]) -> None:
        """Append to the grant history."""
        self.session.add(GrantChange(**row))

    async def grant_history(self, enterprise: str) -> list[GrantChange]:
        """Every grant and revocation of an enterprise, oldest first."""
        rows = await self.session.scalars(
            select(GrantChange).where(GrantChange.enterprise_party_id == enterprise).order_by(GrantChange.id)
        )
        return list(rows)

    async def is_granted(self, enterprise: str, institution: str) -> tuple[bool, bool]:
        """(the institution serves the enterprise, the enterprise's grant is active)."""
        relation = await self.session.scalar(
            select(ClientRelation.status).where(
                ClientRelation.institution_party_id == institution,
                ClientRelation.enterprise_party_id == enterprise,
            )
        )
        grant = await self.session.scalar(
            select(AccessGrant.status).where(
                AccessGrant.enterprise_party_id == enterprise, AccessGrant.institution_party_id == institution
            )
        )
        return relation == ACTIVE, grant == ACTIVE

    async def granted_enterprises(self, institution: str) -> list[str]:
        """Enterprises that an institution serves and that granted it access."""
        rows = await self.session.scalars(
            select(ClientRelation.enterprise_party_id)
            .join(
                AccessGrant,
                (AccessGrant.enterprise_party_id == ClientRelation.enterprise_party_id)
                & (AccessGrant.institution_party_id == ClientRelation.institution_party_id),
            )
            .where(
                ClientRelation.institution_party_id == institution,
                ClientRelation.status == ACTIVE,
                AccessGrant.status == ACTIVE,
            )
            .order_by(ClientRelation.enterprise_party_id)
        )
        return list(rows)
