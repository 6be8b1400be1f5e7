"""``make bench``: run the benchmarks recorded in docs/performance.md, one after another.

    python -m bench                 # all of them, with the settings the docs record
    python -m bench gateway stats   # only some (names below)

Each benchmark is its own module with its own options (``python -m bench.<module> --help``);
each measures its target beside a baseline in the same run and prints both (the declaration
ones: the bare in-process decode of the same message, every rate also as a ratio to it). They need
PostgreSQL at 127.0.0.1:5432 and Redis at 127.0.0.1:6379; the gateway ones use ``wrk``
(Debian package ``wrk``). Run them on a quiet machine: the absolute numbers follow the load.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BENCHMARKS: dict[str, tuple[str, list[str], str]] = {
    "gateway": (
        "bench.gateway_throughput",
        ["--duration", "15"],
        "signed requests through the gateway vs direct",
    ),
    "declaration": (
        "bench.declaration_intake",
        ["--duration", "10"],
        "CEB621 records accepted through the gateway, intake only and with the exchange on, "
        "beside the bare decode of the same messages",
    ),
    "exchange": (
        "bench.declaration_exchange",
        [],
        "documents carried to 899 through the simulator vs intake, beside the bare decode",
    ),
    "rewards": ("bench.stats_rewards_run", [], "reward run for 20,000 enterprises"),
    "stats": ("bench.stats_dashboard", [], "dashboard queries over 10M facts on PostgreSQL vs DuckDB"),
    "reconcile": (
        "bench.payments_reconcile",
        [],
        "a 100,000-entry camt.053 reconciled against 1,000,000 expected items vs its bare parse",
    ),
    "ledger": (
        "bench.payments_ledger",
        [],
        "ledger transfers/s on PostgreSQL in batches vs a bare INSERT; concurrent replays",
    ),
    "warehousing": (
        "bench.logistics_warehousing",
        [],
        "overseas-warehouse reservations/s on one hot SKU, stock query p99 over 1M movements",
    ),
    "tracking": (
        "bench.logistics_tracking",
        [],
        "tracking events through the gateway (100 a request) vs their bare normalisation; "
        "a shipment's timeline over 10M stored events vs a nearly empty table",
    ),
    "cluster": (
        "bench.cluster_throughput",
        ["--seconds", "20", "--warmup", "4", "--concurrency", "16"],
        "filings/s through HAProxy with two replicas of every service and with one",
    ),
}


def main(argv: list[str]) -> int:
    """Run the named benchmarks (all by default); non-zero if any failed."""
    names = argv or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s) {unknown}; choose from {list(BENCHMARKS)}", file=sys.stderr)
        return 2
    failed = []
    for name in names:
        module, args, what = BENCHMARKS[name]
        if not (ROOT / (module.replace(".", "/") + ".py")).exists():
            print(f"== {name}: {module} is not there yet; skipped", flush=True)
            continue
        print(f"== {name}: {what}  (python -m {module} {' '.join(args)})", flush=True)
        started = time.monotonic()
        code = subprocess.call([sys.executable, "-m", module, *args], cwd=ROOT)  # noqa: S603
        print(f"== {name}: exit {code} after {time.monotonic() - started:.0f} s", flush=True)
        if code:
            failed.append(name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
