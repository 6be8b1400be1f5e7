"""SQL of reconciliation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update

from services.payments.base import table_of
from services.payments.reconciliation.models import (
    ExpectedItem,
    Match,
    Proposal,
    ReconciliationRun,
    RejectedPair,
)
from services.payments.statements.models import StatementEntry
from shared.kit import sql
from shared.kit.pagination import Keyset, PageRequest
from shared.kit.repository import Repository

_CHUNK = 2000
OPEN_ENTRY_STATES = ("unmatched", "partial")
OPEN_ITEM_STATES = ("open", "partial")


class ReconciliationRepository(Repository):
    """Every statement of reconciliation."""

    async def open_entries(
        self, enterprise: str, statement_ids: Sequence[str] | None
    ) -> list[StatementEntry]:
        """Booked entries of the enterprise not yet (fully) matched, in statement order."""
        stmt = select(StatementEntry).where(
            StatementEntry.enterprise_party_id == enterprise,
            StatementEntry.match_state.in_(OPEN_ENTRY_STATES),
            StatementEntry.status == "BOOK",
        )
        if statement_ids:
            stmt = stmt.where(StatementEntry.statement_id.in_(list(statement_ids)))
        return list(
            await self.session.scalars(stmt.order_by(StatementEntry.statement_id, StatementEntry.seq))
        )

    async def open_items(self, enterprise: str) -> list[ExpectedItem]:
        """Expected items of the enterprise still open."""
        rows = await self.session.scalars(
            select(ExpectedItem)
            .where(ExpectedItem.enterprise_party_id == enterprise, ExpectedItem.status.in_(OPEN_ITEM_STATES))
            .order_by(ExpectedItem.id)
        )
        return list(rows)

    async def rejected_for(self, enterprise: str) -> set[tuple[str, str]]:
        """(entry key, item id) pairs rejected for the enterprise's entries."""
        rows = await self.session.execute(
            select(RejectedPair.statement_id, RejectedPair.entry_seq, RejectedPair.item_id)
            .join(
                StatementEntry,
                (StatementEntry.statement_id == RejectedPair.statement_id)
                & (StatementEntry.seq == RejectedPair.entry_seq),
            )
            .where(StatementEntry.enterprise_party_id == enterprise)
        )
        return {(f"{s}:{q}", i) for s, q, i in rows}

    async def add_run(self, row: dict[str, Any], proposals: Sequence[dict[str, Any]]) -> None:
        """A run and its proposals."""
        await self.session.execute(table_of(ReconciliationRun).insert(), [row])
        table = table_of(Proposal)
        for start in range(0, len(proposals), _CHUNK):
            await self.session.execute(table.insert(), list(proposals[start : start + _CHUNK]))

    async def run(self, run_id: str) -> ReconciliationRun | None:
        """One run."""
        return await self.session.get(ReconciliationRun, run_id, populate_existing=True)

    async def unfinished_runs(self) -> list[str]:
        """Runs a crash left applying."""
        return list(
            await self.session.scalars(
                select(ReconciliationRun.id).where(ReconciliationRun.status == "applying")
            )
        )

    async def pending_batch(self, run_id: str, size: int) -> list[Proposal]:
        """The next proposals of a run still to apply, locked for this unit of work."""
        return list(
            await self.session.scalars(
                select(Proposal)
                .where(Proposal.run_id == run_id, Proposal.state == "pending")
                .order_by(Proposal.seq)
                .limit(size)
                .with_for_update(skip_locked=True)
            )
        )

    async def proposal(self, proposal_id: str) -> Proposal | None:
        """One proposal."""
        return await self.session.get(Proposal, proposal_id, populate_existing=True)

    async def proposals_page(
        self,
        request: PageRequest,
        *,
        run_id: str | None = None,
        enterprise: str | None = None,
        state: str | None = None,
    ) -> tuple[list[Proposal], str | None]:
        """A page of proposals (of a run, or an enterprise's review queue)."""
        stmt = select(Proposal)
        if run_id:
            stmt = stmt.where(Proposal.run_id == run_id)
        if enterprise:
            stmt = stmt.where(Proposal.enterprise_party_id == enterprise)
        if state:
            stmt = stmt.where(Proposal.state == state)
        t = table_of(Proposal)
        keyset = Keyset([t.c.run_id, t.c.seq], ["str", "int"], descending=False)
        return await self.page(stmt, keyset, request, key=lambda r: (r.run_id, r.seq))

    async def all_proposals(self, run_id: str) -> list[Proposal]:
        """Every proposal of a run, in order (exports)."""
        return list(
            await self.session.scalars(
                select(Proposal).where(Proposal.run_id == run_id).order_by(Proposal.seq)
            )
        )

    async def add_matches(self, rows: list[dict[str, Any]]) -> list[str]:
        """Insert matches that are new; the item ids of those inserted."""
        if not rows:
            return []
        return await sql.insert_ignore_returning(
            self.session, table_of(Match), rows, table_of(Match).c.item_id
        )

    async def entry(self, statement_id: str, seq: int) -> StatementEntry | None:
        """One statement entry (fresh from the database)."""
        return await self.session.get(StatementEntry, (statement_id, seq), populate_existing=True)

    async def items(self, ids: Sequence[str]) -> dict[str, ExpectedItem]:
        """Expected items by id (fresh)."""
        if not ids:
            return {}
        rows = await self.session.scalars(
            select(ExpectedItem)
            .where(ExpectedItem.id.in_(list(ids)))
            .execution_options(populate_existing=True)
        )
        return {row.id: row for row in rows}

    async def set_entry_states(self, statement_id: str, seqs: Sequence[int], state: str) -> None:
        """Mark entries (review, back to unmatched …)."""
        if seqs:
            await self.session.execute(
                update(StatementEntry)
                .where(StatementEntry.statement_id == statement_id, StatementEntry.seq.in_(list(seqs)))
                .values(match_state=state)
            )

    async def set_states_for(self, keys: Sequence[tuple[str, int]], state: str) -> None:
        """Mark many entries, grouped by statement."""
        grouped: dict[str, list[int]] = {}
        for statement_id, seq in keys:
            grouped.setdefault(statement_id, []).append(seq)
        for statement_id, seqs in grouped.items():
            for start in range(0, len(seqs), _CHUNK):
                await self.set_entry_states(statement_id, seqs[start : start + _CHUNK], state)

    async def reject(self, row: dict[str, Any]) -> None:
        """Remember a rejected pair."""
        await self.insert_ignore(table_of(RejectedPair), row)

    async def upsert_item(self, row: dict[str, Any]) -> None:
        """Insert an expected item, or update one that is still fully open."""
        await self.upsert(
            table_of(ExpectedItem),
            row,
            ("enterprise_party_id", "source", "source_ref"),
            replace=[
                "amount",
                "open_amount",
                "expected_date",
                "refs",
                "description",
                "currency",
                "credit",
                "updated_at",
            ],
            where=lambda excluded: table_of(ExpectedItem).c.status == "open",
        )

    async def item_by_source(self, enterprise: str, source: str, source_ref: str) -> ExpectedItem | None:
        """The item registered from this source."""
        return await self.session.scalar(
            select(ExpectedItem)
            .where(
                ExpectedItem.enterprise_party_id == enterprise,
                ExpectedItem.source == source,
                ExpectedItem.source_ref == source_ref,
            )
            .execution_options(populate_existing=True)
        )

    async def items_page(
        self, request: PageRequest, enterprise: str, status: str | None
    ) -> tuple[list[ExpectedItem], str | None]:
        """A page of an enterprise's expected items."""
        stmt = select(ExpectedItem).where(ExpectedItem.enterprise_party_id == enterprise)
        if status:
            stmt = stmt.where(ExpectedItem.status == status)
        t = table_of(ExpectedItem)
        keyset = Keyset([t.c.expected_date, t.c.id], ["date", "str"], descending=False)
        return await self.page(stmt, keyset, request, key=lambda r: (r.expected_date, r.id))

    async def open_items_all(self, enterprise: str) -> list[ExpectedItem]:
        """Open items (exports)."""
        return await self.open_items(enterprise)

    async def unmatched_entries(self, enterprise: str) -> list[StatementEntry]:
        """Booked entries not fully matched (exports)."""
        return list(
            await self.session.scalars(
                select(StatementEntry)
                .where(
                    StatementEntry.enterprise_party_id == enterprise,
                    StatementEntry.match_state.in_(("unmatched", "partial", "review")),
                )
                .order_by(StatementEntry.statement_id, StatementEntry.seq)
            )
        )
