"""Benchmark of statement reconciliation: a 100,000-entry camt.053 against 1,000,000 expected items.

    .venv/bin/python -m bench.payments_reconcile [--entries 100000] [--items 1000000] [--seed 7]
    .venv/bin/python -m bench.payments_reconcile --small     # 10,000 × 100,000, for a quick look

Target (issue 12, "Performance"): reconcile the file in under **30 s**, beside the bare parse
of the same file, both in this run.

1. Builds, seeded, ``--items`` expected receipts over a year (90 % USD, 10 % EUR; each with a
   transaction id and an order number as references) and a camt.053.001.08 of ``--entries``
   credit entries written by the product's own writer (``statements.writers``), one account:
   50 % name an item by EndToEndId with its exact amount, 10 % are batch payouts whose
   remittance names 3 items and pay their sum, 10 % are part payments of a named item,
   20 % carry no reference and are short of an item by a fee (1.5 %) with the value date a
   day or two off, 10 % come from an unknown remitter and match nothing.
2. **Baseline:** the bare parse — the hardened lxml parse of the same bytes
   (``shared.xml_security.secure_parse``: no DTD, entities or network, depth and size caps).
3. **Reconcile:** what the service does with the file and the book, below SQL: read it
   (hardened parse, ISO XSD validation, entries read), check opening + Σ entries = closing
   and the declared totals (``statements.rules``), turn the entries and the million items
   into the engine's shape, and run both passes (``reconciliation.rules.match``: references,
   then amount tolerance ±N days and many-to-one). Timed end to end and per phase.
4. Checks what was found against how the file was built (exact, batch, part and fee-short
   matches, unknown remitters unmatched); a wrong count fails the benchmark (exit 1).

Loading the items from PostgreSQL and storing the proposals are not in the figure: they are
the repository's bulk SELECT and INSERT (see the ledger benchmark for PostgreSQL rates).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.payments.ledger.rules import minor_units  # noqa: E402
from services.payments.reconciliation import rules as engine  # noqa: E402
from services.payments.settings import MAX_STATEMENT_BYTES  # noqa: E402
from services.payments.statements import camt  # noqa: E402
from services.payments.statements import rules as statement_rules  # noqa: E402
from services.payments.statements.writers import OutEntry, OutStatement, camt053  # noqa: E402
from shared.xml_security import XmlLimits, secure_parse  # noqa: E402

START = dt.date(2026, 1, 1)
CST = dt.timezone(dt.timedelta(hours=8))


def build(entries: int, items: int, seed: int) -> tuple[list[engine.Item], bytes, Counter[str]]:
    """The expected items, the camt.053 bytes, and how many entries of each kind were written."""
    rng = random.Random(seed)
    book: list[engine.Item] = []
    for i in range(items):
        currency = "EUR" if i % 10 == 9 else "USD"
        cents = rng.randrange(1_000, 500_000)
        day = START + dt.timedelta(days=rng.randrange(330))
        book.append(
            engine.Item(
                f"xi_{i:08d}",
                True,
                currency,
                cents,
                day.toordinal(),
                frozenset({f"PTX{i:08d}", f"ORD{i:08d}"}),
            )
        )
    # Entries draw on distinct USD items so each kind has exactly one right answer.
    usd = [it for it in book if it.currency == "USD"]
    rng.shuffle(usd)
    pick = iter(usd)
    kinds: Counter[str] = Counter()
    out: list[OutEntry] = []
    for n in range(entries):
        slot = n % 10
        ref = f"BK{n:09d}"
        if slot < 5:
            item = next(pick)
            kind, cents, day = "exact", item.open, item.expected_day
            e2e, text = f"ORD{item.id[3:]}", "Payout"
        elif slot == 5:
            batch = [next(pick) for _ in range(3)]
            kind, cents, day = "batch", sum(b.open for b in batch), batch[0].expected_day
            e2e, text = None, "Batch payout " + " ".join(f"ORD{b.id[3:]}" for b in batch)
        elif slot == 6:
            item = next(pick)
            kind, cents, day = "part", item.open // 2, item.expected_day
            e2e, text = f"PTX{item.id[3:]}", "Part payment"
        elif slot < 9:
            item = next(pick)
            kind = "fee_short"
            cents = item.open - round(item.open * 0.015)
            day = item.expected_day + rng.choice((-2, -1, 1, 2))
            e2e, text = None, "Marketplace settlement"
        else:
            # Unknown remitter: odd cents and a date no item is expected on.
            kind, cents, day = (
                "unknown",
                rng.randrange(100, 900) * 100 + 37,
                (START + dt.timedelta(days=345)).toordinal(),
            )
            e2e, text = None, "Unknown remitter"
        kinds[kind] += 1
        on = dt.date.fromordinal(day)
        out.append(
            OutEntry(
                amount=Decimal(cents) / 100,
                credit=True,
                booking_date=on,
                value_date=on,
                bank_reference=ref,
                end_to_end_id=e2e,
                remittance=text,
            )
        )
    statement = OutStatement(
        statement_id="BENCH-STMT-1",
        account="DE89370400440532013000",
        currency="USD",
        opening=Decimal("1000.00"),
        created_at=dt.datetime(2026, 12, 31, 23, 0, tzinfo=CST),
        from_date=START,
        to_date=dt.date(2026, 12, 31),
        entries=out,
    )
    data = camt053([statement], "BENCH-MSG-1", dt.datetime(2026, 12, 31, 23, 0, tzinfo=CST))
    return book, data, kinds


def reconcile(
    data: bytes, book: list[engine.Item], limits: XmlLimits
) -> tuple[list[engine.Proposal], dict[str, float]]:
    """Read, check and match the file against the book; the proposals and seconds per phase."""
    phases: dict[str, float] = {}
    t0 = time.perf_counter()
    statements = camt.parse(data, limits)
    t1 = time.perf_counter()
    phases["parse + XSD + read"] = t1 - t0
    for statement in statements:
        found = statement_rules.problems(statement)
        if found:
            raise SystemExit(f"the benchmark's own statement is refused: {found[:3]}")
    t2 = time.perf_counter()
    phases["balance and totals check"] = t2 - t1
    entries = [
        engine.EntryIn(
            f"{s.statement_id}:{e.index}",
            e.credit,
            e.currency,
            minor_units(e.amount),
            (e.value_date or e.booking_date or START).toordinal(),
            engine.tokens(" ".join(e.end_to_end_ids), e.bank_reference, e.remittance),
        )
        for s in statements
        for e in s.entries
    ]
    t3 = time.perf_counter()
    phases["entries to engine"] = t3 - t2
    proposals = engine.match(entries, book, engine.Params(tolerance=0.03, window_days=3))
    t4 = time.perf_counter()
    phases["match (both passes)"] = t4 - t3
    return proposals, phases


def check(proposals: list[engine.Proposal], kinds: Counter[str]) -> list[str]:
    """Differences between what was found and how the file was built (empty: right)."""
    by_rule: Counter[str] = Counter()
    for p in proposals:
        if p.rule == "reference+amount":
            by_rule["exact"] += 1
        elif "references+sum" in p.rule:
            by_rule["batch"] += 1
        elif "part payment" in p.rule:
            by_rule["part"] += 1
        elif p.rule.startswith("amount within tolerance"):
            by_rule["fee_short"] += 1
        else:
            by_rule["other"] += 1
    wrong = []
    for kind in ("exact", "batch", "part"):
        if by_rule[kind] != kinds[kind]:
            wrong.append(f"{kind}: {by_rule[kind]} found, {kinds[kind]} written")
    # Fee-short entries have no reference: the rule pass must find nearly all (a random
    # item of the same amount and week may win a few), and must never exceed them.
    if by_rule["fee_short"] > kinds["fee_short"] or by_rule["fee_short"] < 0.95 * kinds["fee_short"]:
        wrong.append(f"fee_short: {by_rule['fee_short']} found, {kinds['fee_short']} written")
    if (
        len(proposals)
        > sum(kinds[k] for k in ("exact", "batch", "part", "fee_short")) + kinds["unknown"] // 100
    ):
        wrong.append(f"unknown remitters matched: {len(proposals)} proposals")
    return wrong


def main(argv: list[str] | None = None) -> int:
    """Build, time the baseline and the reconciliation, check, print; non-zero if wrong."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--small", action="store_true", help="10,000 entries × 100,000 items")
    args = parser.parse_args(argv)
    if args.small:
        args.entries, args.items = 10_000, 100_000
    t = time.perf_counter()
    book, data, kinds = build(args.entries, args.items, args.seed)
    print(
        f"built {args.items:,} items and a camt.053 of {args.entries:,} entries "
        f"({len(data) / 1e6:.1f} MB) in {time.perf_counter() - t:.1f} s; kinds {dict(kinds)}",
        flush=True,
    )
    limits = XmlLimits(max_bytes=MAX_STATEMENT_BYTES)
    if len(data) > limits.max_bytes:
        print(f"the file is over the service's {MAX_STATEMENT_BYTES:,}-byte limit", file=sys.stderr)
        return 1
    gc.collect()
    t0 = time.perf_counter()
    parsed = secure_parse(data, limits)
    baseline = time.perf_counter() - t0
    assert parsed.root is not None, parsed.issues
    del parsed
    gc.collect()
    proposals, phases = reconcile(data, book, limits)
    total = sum(phases.values())
    wrong = check(proposals, kinds)
    rules_seen = Counter(p.rule for p in proposals)
    print(f"baseline, bare hardened parse: {baseline:.2f} s")
    for name, seconds in phases.items():
        print(f"  {name:<28} {seconds:6.2f} s")
    verdict = "met" if total < 30 else "MISSED"
    print(
        f"reconcile {args.entries:,} entries × {args.items:,} items: {total:.2f} s "
        f"({total / baseline:.1f}× the bare parse); target < 30 s {verdict}"
    )
    print(f"proposals {len(proposals):,}: {dict(rules_seen)}")
    if wrong:
        print("WRONG: " + "; ".join(wrong), file=sys.stderr)
        return 1
    print("matches agree with how the file was built")
    return 0


if __name__ == "__main__":
    sys.exit(main())
