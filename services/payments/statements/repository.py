"""SQL of the statements module (entries go in chunks: a statement can hold 100,000)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from services.payments.base import table_of
from services.payments.statements.models import Statement, StatementEntry, StatementUpload
from shared.kit.pagination import Keyset, PageRequest
from shared.kit.repository import Repository

_CHUNK = 2000


class StatementRepository(Repository):
    """Every statement of the statements module."""

    async def upload_by_digest(self, institution: str, digest: str) -> StatementUpload | None:
        """A file received before, by its bytes."""
        return await self.session.scalar(
            select(StatementUpload).where(
                StatementUpload.institution_party_id == institution, StatementUpload.digest == digest
            )
        )

    async def add_upload(self, row: dict[str, Any]) -> bool:
        """Store a file; False if the same bytes were stored concurrently."""
        return await self.insert_ignore(table_of(StatementUpload), row) == 1

    async def by_natural_key(
        self, institution: str, account_hash: str, kind: str, ref: str
    ) -> Statement | None:
        """The statement an institution sent with this id for this account."""
        return await self.session.scalar(
            select(Statement).where(
                Statement.institution_party_id == institution,
                Statement.account_hash == account_hash,
                Statement.kind == kind,
                Statement.statement_ref == ref,
            )
        )

    async def of_upload(self, upload_id: str) -> list[Statement]:
        """The statements of one file."""
        return list(
            await self.session.scalars(
                select(Statement).where(Statement.upload_id == upload_id).order_by(Statement.id)
            )
        )

    async def add_statement(self, row: dict[str, Any], entries: Sequence[dict[str, Any]]) -> None:
        """A statement and its entries."""
        await self.session.execute(table_of(Statement).insert(), [row])
        table = table_of(StatementEntry)
        for start in range(0, len(entries), _CHUNK):
            await self.session.execute(table.insert(), list(entries[start : start + _CHUNK]))

    async def get(self, statement_id: str) -> Statement | None:
        """One statement."""
        return await self.session.get(Statement, statement_id)

    async def page_of(
        self, request: PageRequest, *, enterprises: Sequence[str] | None, institution: str | None
    ) -> tuple[list[Statement], str | None]:
        """A page of statements, newest first."""
        stmt = select(Statement)
        if enterprises is not None:
            stmt = stmt.where(Statement.enterprise_party_id.in_(list(enterprises) or [""]))
        if institution is not None:
            stmt = stmt.where(Statement.institution_party_id == institution)
        t = table_of(Statement)
        keyset = Keyset([t.c.received_at, t.c.id], ["datetime", "str"])
        return await self.page(stmt, keyset, request, key=lambda r: (r.received_at, r.id))

    async def entries_page(
        self, request: PageRequest, statement_id: str, state: str | None
    ) -> tuple[list[StatementEntry], str | None]:
        """A page of a statement's entries, in order."""
        stmt = select(StatementEntry).where(StatementEntry.statement_id == statement_id)
        if state:
            stmt = stmt.where(StatementEntry.match_state == state)
        t = table_of(StatementEntry)
        keyset = Keyset([t.c.seq], ["int"], descending=False)
        return await self.page(stmt, keyset, request, key=lambda r: (r.seq,))
