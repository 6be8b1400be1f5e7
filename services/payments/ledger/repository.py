"""SQL of the ledger: batches of transfers in a handful of statements.

A batch is: read the transfers that exist among its ids, the ledgers of its accounts and
the pending transfers it resolves; decide (:func:`rules.plan`); insert the accepted ones
with ``ON CONFLICT DO NOTHING … RETURNING id``; apply the balance deltas of exactly the
rows that were inserted. A concurrent replay of the same batch waits on the unique index,
then inserts nothing, so it changes no balance: nothing is posted twice. Rows and account
updates go in id order, so concurrent batches lock in one order and do not deadlock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import bindparam, select, update

from services.payments.base import table_of
from services.payments.ledger import rules
from services.payments.ledger.models import LedgerAccount, LedgerTransfer
from shared.kit import sql
from shared.kit.pagination import Keyset, PageRequest
from shared.kit.repository import Repository

ACCOUNTS = table_of(LedgerAccount)
TRANSFERS = table_of(LedgerTransfer)
_CHUNK = 1000


def _transfer(row: Any) -> rules.Transfer:
    return rules.Transfer(
        row.id,
        row.debit_account_id,
        row.credit_account_id,
        row.amount,
        row.ledger,
        row.code,
        rules.Flag(row.flag),
        row.pending_id,
        row.reference,
    )


class LedgerRepository(Repository):
    """Every statement of the ledger."""

    async def account_ids(
        self, wanted: Sequence[tuple[str, str, str | None, str]], now: dt.datetime
    ) -> dict[str, int]:
        """Ids of accounts by code, creating the missing ones: (code, ledger, enterprise, name)."""
        codes = sorted({w[0] for w in wanted})
        found = await self._ids_by_code(codes)
        missing = [w for w in {w[0]: w for w in wanted}.values() if w[0] not in found]
        if missing:
            await self.insert_ignore(
                ACCOUNTS,
                [
                    {
                        "code": code,
                        "ledger": ledger,
                        "enterprise_party_id": enterprise,
                        "name": name,
                        "debits_pending": 0,
                        "debits_posted": 0,
                        "credits_pending": 0,
                        "credits_posted": 0,
                        "created_at": now,
                    }
                    for code, ledger, enterprise, name in sorted(missing)
                ],
                conflict=["code"],
            )
            found = await self._ids_by_code(codes)
        return found

    async def _ids_by_code(self, codes: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for start in range(0, len(codes), _CHUNK):
            rows = await self.session.execute(
                select(ACCOUNTS.c.code, ACCOUNTS.c.id).where(
                    ACCOUNTS.c.code.in_(codes[start : start + _CHUNK])
                )
            )
            found.update({code: account_id for code, account_id in rows})
        return found

    async def _existing(self, ids: Sequence[str]) -> dict[str, rules.Transfer]:
        found: dict[str, rules.Transfer] = {}
        for start in range(0, len(ids), _CHUNK):
            rows = await self.session.execute(
                select(TRANSFERS).where(TRANSFERS.c.id.in_(ids[start : start + _CHUNK]))
            )
            found.update({row.id: _transfer(row) for row in rows})
        return found

    async def _ledgers(self, account_ids: Sequence[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        for start in range(0, len(account_ids), _CHUNK):
            rows = await self.session.execute(
                select(ACCOUNTS.c.id, ACCOUNTS.c.ledger).where(
                    ACCOUNTS.c.id.in_(account_ids[start : start + _CHUNK])
                )
            )
            found.update({account_id: ledger for account_id, ledger in rows})
        return found

    async def _pendings(self, ids: Sequence[str]) -> dict[str, rules.PendingState]:
        if not ids:
            return {}
        transfers = await self._existing(ids)
        resolved: dict[str, rules.Flag] = {}
        for start in range(0, len(ids), _CHUNK):
            rows = await self.session.execute(
                select(TRANSFERS.c.pending_id, TRANSFERS.c.flag).where(
                    TRANSFERS.c.pending_id.in_(ids[start : start + _CHUNK])
                )
            )
            resolved.update({pending_id: rules.Flag(flag) for pending_id, flag in rows})
        return {i: rules.PendingState(t, resolved.get(i)) for i, t in transfers.items()}

    async def create_transfers(
        self, batch: Sequence[rules.Transfer], now: dt.datetime
    ) -> dict[str, rules.Result]:
        """Create a batch of transfers; the result of each (``ok``, ``exists`` …)."""
        if not batch:
            return {}
        ids = sorted({t.id for t in batch})
        existing = await self._existing(ids)
        accounts = await self._ledgers(
            sorted(
                {
                    a
                    for t in batch
                    if t.flag in (rules.Flag.POSTED, rules.Flag.PENDING)
                    for a in (t.debit_account_id, t.credit_account_id)
                }
            )
        )
        pendings = await self._pendings(sorted({t.pending_id for t in batch if t.pending_id}))
        decided = rules.plan(batch, existing, accounts, pendings)
        accepted = sorted(decided.accepted, key=lambda t: t.id)
        inserted: set[str] = set()
        if accepted:
            # One statement executed with the rows (SQLAlchemy's insertmanyvalues): compiled
            # once and cached, where a VALUES list of a thousand rows compiled 10,000 bind
            # parameters in Python on every batch — most of a batch's time.
            statement = sql.insert_ignore_statement(self.session, TRANSFERS, returning=TRANSFERS.c.id)
            result = await self.session.execute(
                statement,
                [
                    {
                        "id": t.id,
                        "debit_account_id": t.debit_account_id,
                        "credit_account_id": t.credit_account_id,
                        "amount": t.amount,
                        "ledger": t.ledger,
                        "code": t.code,
                        "flag": t.flag.value,
                        "pending_id": t.pending_id,
                        "reference": t.reference,
                        "created_at": now,
                    }
                    for t in accepted
                ],
            )
            inserted.update(result.scalars())
        stored = [t for t in accepted if t.id in inserted]
        await self._apply(rules.deltas(stored, decided.releases))
        results = dict(decided.results)
        lost = [t for t in accepted if t.id not in inserted]
        if lost:
            # A concurrent batch wrote these first (same id, or the same pending resolved).
            again = await self._existing([t.id for t in lost])
            for transfer in lost:
                prior = again.get(transfer.id)
                if prior is not None:
                    results[transfer.id] = (
                        rules.Result.EXISTS
                        if prior.same_as(transfer)
                        else rules.Result.EXISTS_WITH_DIFFERENT_FIELDS
                    )
                else:
                    results[transfer.id] = rules.Result.PENDING_ALREADY_POSTED
        return results

    async def _apply(self, deltas: dict[int, rules.Delta]) -> None:
        if not deltas:
            return
        statement = (
            update(ACCOUNTS)
            .where(ACCOUNTS.c.id == bindparam("account_id"))
            .values(
                debits_pending=ACCOUNTS.c.debits_pending + bindparam("dp"),
                debits_posted=ACCOUNTS.c.debits_posted + bindparam("dpo"),
                credits_pending=ACCOUNTS.c.credits_pending + bindparam("cp"),
                credits_posted=ACCOUNTS.c.credits_posted + bindparam("cpo"),
            )
        )
        params = [
            {
                "account_id": account_id,
                "dp": d.debits_pending,
                "dpo": d.debits_posted,
                "cp": d.credits_pending,
                "cpo": d.credits_posted,
            }
            for account_id, d in sorted(deltas.items())
        ]
        connection = await self.session.connection()
        await connection.execute(statement, params)

    async def accounts_of(self, enterprise: str) -> list[LedgerAccount]:
        """An enterprise's accounts."""
        rows = await self.session.scalars(
            select(LedgerAccount)
            .where(LedgerAccount.enterprise_party_id == enterprise)
            .order_by(LedgerAccount.code)
        )
        return list(rows)

    async def accounts_by_code(self, codes: Iterable[str]) -> dict[str, LedgerAccount]:
        """Accounts by code."""
        wanted = sorted(set(codes))
        if not wanted:
            return {}
        rows = await self.session.scalars(
            select(LedgerAccount)
            .where(LedgerAccount.code.in_(wanted))
            .execution_options(populate_existing=True)
        )
        return {row.code: row for row in rows}

    async def pending_with_reference(self, reference: str) -> list[rules.Transfer]:
        """Pending transfers written for a business reference (e.g. a transaction id)."""
        rows = await self.session.execute(
            select(TRANSFERS).where(
                TRANSFERS.c.reference == reference, TRANSFERS.c.flag == rules.Flag.PENDING.value
            )
        )
        return [_transfer(row) for row in rows]

    async def transfers_page(
        self, request: PageRequest, account_ids: Sequence[int]
    ) -> tuple[list[Any], str | None]:
        """A page of transfers touching these accounts, newest first."""
        stmt = select(TRANSFERS).where(
            TRANSFERS.c.debit_account_id.in_(list(account_ids) or [-1])
            | TRANSFERS.c.credit_account_id.in_(list(account_ids) or [-1])
        )
        keyset = Keyset([TRANSFERS.c.created_at, TRANSFERS.c.id], ["datetime", "str"])
        return await self.page(stmt, keyset, request, key=lambda r: (r.created_at, r.id), scalars=False)
