"""Benchmark of the payments ledger on PostgreSQL: transfers posted in batches, and concurrent replays.

    .venv/bin/python -m bench.payments_ledger [--transfers 100000] [--batch 1000] [--workers 4]
                                              [--accounts 2000] [--keep]
    .venv/bin/python -m bench.payments_ledger --small       # 20,000 transfers, for a quick look

Target (issue 12, "Performance"): at least **2,000 transfers/s** posted on PostgreSQL in
batches, with no double posting under concurrent replays.

1. Creates its own PostgreSQL database (127.0.0.1:5432, user postgres; DDT_BENCH_POSTGRES_URL
   overrides), migrates it to the payments head, and opens ``--accounts`` accounts in USD
   and a tenth as many in EUR (``LedgerRepository.account_ids``, as the service does).
2. Builds ``--transfers`` transfers, seeded, with deterministic ids as the service makes them:
   80 % single-phase, 10 % pending, 10 % posting (all or part of) one of those pendings.
3. **Baseline:** a bare ``INSERT`` of the same rows, the same batches, one transaction each,
   into a copy of the transfers table (same columns and indexes) — no reads, no checks, no
   balances.
4. **Ledger:** the same batches through ``LedgerRepository.create_transfers`` (read what
   exists, the accounts' ledgers and the pendings; decide by ``ledger.rules.plan``; insert
   ``ON CONFLICT DO NOTHING … RETURNING``; apply the balance deltas of what was inserted),
   one transaction per batch, from ``--workers`` concurrent clients on disjoint batches.
5. **Concurrent replays:** every batch again, by ``--workers`` clients at once, each going
   through all of them in its own order (so the same batch is often in flight twice), and a
   fresh set of ``--transfers // 10`` transfers raced the same way from the start. Every
   replayed transfer must answer ``exists``; each raced one ``ok`` exactly once.
6. Checks: as many rows as distinct ids accepted; every account's four balances equal what
   ``ledger.rules.deltas`` computes from the accepted transfers alone (so nothing was posted
   twice); debits equal credits per ledger. A difference fails the benchmark (exit 1).
7. Drops the database (unless --keep) and prints the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import TableClause, column, select, table, text  # noqa: E402
from sqlalchemy.exc import DBAPIError  # noqa: E402

from bench.scratch_db import create_database, drop_database, sqlalchemy_url  # noqa: E402
from services.payments.base import table_of  # noqa: E402
from services.payments.ledger import rules  # noqa: E402
from services.payments.ledger.models import LedgerAccount, LedgerTransfer  # noqa: E402
from services.payments.ledger.repository import LedgerRepository  # noqa: E402
from shared.db import Database  # noqa: E402
from shared.migrations import upgrade_to_head  # noqa: E402
from shared.sqltypes import utcnow  # noqa: E402


def build(count: int, usd: list[int], eur: list[int], seed: int, prefix: str) -> list[rules.Transfer]:
    """``count`` transfers over the accounts: single-phase, pending, and posts of those pendings."""
    rng = random.Random(seed)
    out: list[rules.Transfer] = []
    pendings: list[rules.Transfer] = []
    for n in range(count):
        ledger, accounts = ("EUR", eur) if n % 10 == 7 else ("USD", usd)
        debit, credit = rng.sample(accounts, 2)
        amount = rng.randrange(100, 2_000_000)
        kind = n % 10
        if kind == 3:
            transfer = rules.Transfer(
                f"{prefix}:{n}:p",
                debit,
                credit,
                amount,
                ledger,
                "received",
                rules.Flag.PENDING,
                None,
                f"{prefix}:{n}",
            )
            pendings.append(transfer)
        elif kind == 6 and pendings:
            pending = pendings.pop(rng.randrange(len(pendings)))
            # Post it whole (0) or in part; accounts and ledger come from the pending transfer.
            amount = 0 if rng.random() < 0.5 else max(1, pending.amount // 2)
            transfer = rules.Transfer(
                f"{pending.id}:post",
                0,
                0,
                amount,
                pending.ledger,
                pending.code,
                rules.Flag.POST_PENDING,
                pending.id,
            )
        else:
            transfer = rules.Transfer(f"{prefix}:{n}", debit, credit, amount, ledger, "allocated")
        out.append(transfer)
    return out


def batches(transfers: list[rules.Transfer], size: int) -> list[list[rules.Transfer]]:
    """Consecutive batches (a post comes after its pending, in the same batch or a later one)."""
    return [transfers[i : i + size] for i in range(0, len(transfers), size)]


async def _bare(db: Database, target: TableClause, groups: list[list[rules.Transfer]], workers: int) -> float:
    """Insert the rows as they are, batch by batch, from ``workers`` clients; seconds."""
    queue: asyncio.Queue[list[rules.Transfer]] = asyncio.Queue()
    for group in groups:
        queue.put_nowait(group)

    async def worker() -> None:
        while not queue.empty():
            group = queue.get_nowait()
            now = utcnow()
            async with db.transaction() as session:
                await session.execute(
                    target.insert(),
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
                        for t in group
                    ],
                )

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return time.perf_counter() - started


async def _post(
    db: Database, groups: list[list[rules.Transfer]], workers: int, orders: list[list[int]] | None = None
) -> tuple[float, Counter[str], dict[str, Counter[str]]]:
    """Create the batches through the ledger; seconds, results overall and per transfer id.

    Without ``orders`` the batches are shared out (each once); with them, worker ``w`` goes
    through every batch in the order ``orders[w]`` (replays racing each other).
    """
    results: Counter[str] = Counter()
    per_id: dict[str, Counter[str]] = {}
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(len(groups)):
        queue.put_nowait(i)

    async def run(index: int) -> None:
        for attempt in range(5):
            try:
                async with db.transaction() as session:
                    answer = await LedgerRepository(session).create_transfers(groups[index], utcnow())
                break
            except DBAPIError as error:  # a deadlock would be retried as a client would, and counted
                results[f"retried:{type(error.orig).__name__}"] += 1
                if attempt == 4:
                    raise
        for transfer_id, result in answer.items():
            results[result.value] += 1
            per_id.setdefault(transfer_id, Counter())[result.value] += 1

    async def shared_worker() -> None:
        while not queue.empty():
            await run(queue.get_nowait())

    async def own_order(order: list[int]) -> None:
        for index in order:
            await run(index)

    started = time.perf_counter()
    if orders is None:
        await asyncio.gather(*(shared_worker() for _ in range(workers)))
    else:
        await asyncio.gather(*(own_order(order) for order in orders))
    return time.perf_counter() - started, results, per_id


async def _check(db: Database, accepted: list[rules.Transfer], releases: dict[str, int]) -> list[str]:
    """Differences between the stored books and what the accepted transfers alone imply."""
    expected = rules.deltas(accepted, releases)
    wrong: list[str] = []
    async with db.transaction() as session:
        count = await session.scalar(select(text("count(*)")).select_from(table_of(LedgerTransfer)))
        accounts = table_of(LedgerAccount)
        rows = (await session.execute(select(accounts))).all()
    if count != len(accepted):
        wrong.append(f"{count} transfer rows, {len(accepted)} accepted")
    per_ledger: dict[str, list[int]] = {}
    for row in rows:
        want = expected.get(row.id, rules.Delta())
        have = (row.debits_pending, row.debits_posted, row.credits_pending, row.credits_posted)
        if have != (want.debits_pending, want.debits_posted, want.credits_pending, want.credits_posted):
            wrong.append(f"account {row.id}: {have} != {want}")
        sums = per_ledger.setdefault(row.ledger, [0, 0, 0, 0])
        for i, value in enumerate(have):
            sums[i] += value
    for ledger, (dp, dpo, cp, cpo) in per_ledger.items():
        if (dp, dpo) != (cp, cpo):
            wrong.append(f"{ledger}: debits {dp}/{dpo} != credits {cp}/{cpo}")
    return wrong[:10]


def _accepted(
    transfers: list[rules.Transfer], ledgers: dict[int, str]
) -> tuple[list[rules.Transfer], dict[str, int]]:
    """What the ledger must have stored for these transfers (posts resolved), by the pure rules."""
    decided = rules.plan(transfers, {}, ledgers, {})
    return decided.accepted, decided.releases


async def main_async(args: argparse.Namespace) -> int:
    """Run the benchmark in a database of its own; non-zero if the books are wrong."""
    name = await create_database("ddt_bench_ledger")
    db = Database(sqlalchemy_url(name), pool_size=args.workers * 2 + 2, pre_ping=False)
    try:
        await upgrade_to_head(db, "payments")
        now = utcnow()
        async with db.transaction() as session:
            repo = LedgerRepository(session)
            wanted = [(f"bench:{i}:USD", "USD", f"ent-{i % 500}", f"a{i}") for i in range(args.accounts)]
            wanted += [
                (f"bench:{i}:EUR", "EUR", f"ent-{i % 500}", f"a{i}") for i in range(args.accounts // 10)
            ]
            ids = await repo.account_ids(wanted, now)
        usd = [ids[c] for c, ledger, *_ in wanted if ledger == "USD"]
        eur = [ids[c] for c, ledger, *_ in wanted if ledger == "EUR"]
        ledgers = {ids[c]: ledger for c, ledger, *_ in wanted}
        transfers = build(args.transfers, usd, eur, args.seed, "t")
        groups = batches(transfers, args.batch)
        kinds = Counter(t.flag.value for t in transfers)
        print(
            f"{len(transfers):,} transfers {dict(kinds)} over {len(usd) + len(eur):,} accounts, "
            f"batches of {args.batch:,}, {args.workers} clients",
            flush=True,
        )

        async with db.transaction() as session:
            await session.execute(
                text("CREATE TABLE bench_bare_transfers (LIKE payments_ledger_transfers INCLUDING ALL)")
            )
        bare_table = table(
            "bench_bare_transfers", *(column(c.name) for c in table_of(LedgerTransfer).columns)
        )
        bare = await _bare(db, bare_table, groups, args.workers)
        print(f"baseline, bare INSERT of the same rows: {len(transfers) / bare:,.0f} rows/s ({bare:.2f} s)")

        seconds, results, _per = await _post(db, groups, args.workers)
        rate = len(transfers) / seconds
        print(
            f"ledger create_transfers: {rate:,.0f} transfers/s ({seconds:.2f} s, "
            f"{seconds / bare:.1f}× the bare insert); results {dict(results)}",
            flush=True,
        )
        wrong = [] if results.get("ok", 0) == len(transfers) else [f"first posting: {dict(results)}"]

        rng = random.Random(args.seed + 1)
        orders = []
        for _ in range(args.workers):
            order = list(range(len(groups)))
            rng.shuffle(order)
            orders.append(order)
        replay_seconds, replayed, _per = await _post(db, groups, args.workers, orders)
        replays = len(transfers) * args.workers
        print(
            f"concurrent replays: {args.workers} clients × every batch, {replays / replay_seconds:,.0f} "
            f"transfers/s ({replay_seconds:.2f} s); results {dict(replayed)}",
            flush=True,
        )
        if replayed.get("exists", 0) != replays:
            wrong.append(f"replays: {dict(replayed)}")

        raced = build(max(args.transfers // 10, args.batch), usd, eur, args.seed + 2, "r")
        raced_groups = batches(raced, args.batch)
        race_orders = [list(range(len(raced_groups))) for _ in range(args.workers)]
        for order in race_orders[1::2]:
            order.reverse()
        race_seconds, race_results, per_id = await _post(db, raced_groups, args.workers, race_orders)
        print(
            f"fresh batches raced by {args.workers} clients at once: {race_seconds:.2f} s; "
            f"results {dict(race_results)}",
            flush=True,
        )
        twice = [i for i, c in per_id.items() if c.get("ok", 0) != 1]
        if twice:
            wrong.append(f"{len(twice)} raced transfers not ok exactly once, e.g. {twice[:3]}")

        accepted, releases = _accepted(transfers + raced, ledgers)
        wrong += await _check(db, accepted, releases)
        verdict = "met" if rate >= 2000 else "MISSED"
        print(f"target ≥ 2,000 transfers/s {verdict}; books equal the accepted transfers: {not wrong}")
        if wrong:
            print("WRONG: " + "; ".join(wrong), file=sys.stderr)
            return 1
        return 0
    finally:
        await db.dispose()
        if not args.keep:
            await drop_database(name)


def main() -> int:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--transfers", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--small", action="store_true", help="20,000 transfers")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    if args.small:
        args.transfers = 20_000
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
