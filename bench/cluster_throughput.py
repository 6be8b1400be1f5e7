"""Cluster benchmark: filings per second through HAProxy with two replicas of every service and
with one, in the same run, with latency percentiles and the CPU each filing costs.

The cluster of ``make run-cluster`` (``deploy/cluster.py``: production settings, the machine's
PostgreSQL, tansu, Redis, HAProxy). A stream of signed CEB311 orders (``tests/support/filings``:
``concurrency`` workers, each its own Idempotency-Key, retrying only what is documented as
retryable) runs for ``--seconds`` per phase, after ``--warmup`` seconds that are not counted.
Phases: two replicas of every service, then one (replica 2 of every service drained in HAProxy
and stopped with SIGTERM: its relay and consumers go too), then two again (the same replicas
started) — the repeat shows how much the machine's other load moved the numbers.

CPU per filing: the CPU seconds the phase cost each group of processes (service replicas,
HAProxy, the broker, Redis, the PostgreSQL backends serving the cluster's databases, and this
load generator), divided by the filings accepted in the phase. A filing's work includes what
follows it in the background: the outbox relay and every consumer of its events.

    python -m bench.cluster_throughput [--seconds 20] [--warmup 4] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deploy.cluster import START_ORDER, Cluster, Layout  # noqa: E402
from tests.support.filings import Credential, FilingStream, SignedClient  # noqa: E402
from tests.support.infra import free_port  # noqa: E402

GROUPS = [*START_ORDER, "haproxy", "broker", "redis", "postgres", "load generator"]


@dataclass
class Phase:
    """One measured phase."""

    replicas: int
    seconds: float = 0.0
    filings: int = 0
    latencies: list[float] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)
    machine_busy: float = 0.0
    load_average: float = 0.0
    failed: int = 0

    @property
    def per_second(self) -> float:
        """Filings accepted per second."""
        return self.filings / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        """Latency percentile in ms (a filing's time until it was accepted, retries included)."""
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(int(q * len(ordered)), len(ordered) - 1)] * 1000

    def cpu_ms_per_filing(self, group: str) -> float:
        """CPU milliseconds ``group`` spent per accepted filing."""
        return self.cpu.get(group, 0.0) / self.filings * 1000 if self.filings else 0.0


def _cpu(pid: int) -> float:
    try:
        times = psutil.Process(pid).cpu_times()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return 0.0
    return float(times.user + times.system)


async def _postgres_pids(cluster: Cluster) -> list[int]:
    conn = await asyncpg.connect(cluster.postgres_url)
    try:
        rows = await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname LIKE $1", f"{cluster.database_prefix}%"
        )
    finally:
        await conn.close()
    return [int(r["pid"]) for r in rows]


async def _cpu_by_group(cluster: Cluster) -> dict[str, dict[int, float]]:
    """CPU seconds so far of every process of every group, by pid."""
    groups: dict[str, dict[int, float]] = {g: {} for g in GROUPS}
    for replica in cluster.all_replicas():
        if replica.alive and replica.process is not None:
            groups[replica.service][replica.process.pid] = _cpu(replica.process.pid)
    for name in ("haproxy", "broker", "redis"):
        process = cluster.infra.get(name)
        if process is not None and process.poll() is None:
            groups[name][process.pid] = _cpu(process.pid)
    for pid in await _postgres_pids(cluster):
        groups["postgres"][pid] = _cpu(pid)
    groups["load generator"][os.getpid()] = _cpu(os.getpid())
    return groups


def _spent(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]) -> dict[str, float]:
    # A process that appeared during the phase (a new pooled connection) counts from zero.
    return {
        group: sum(cpu - before.get(group, {}).get(pid, 0.0) for pid, cpu in after[group].items())
        for group in GROUPS
    }


async def measure(
    cluster: Cluster, client: SignedClient, party: Credential, code: str, args: argparse.Namespace
) -> Phase:
    """One phase: warm up, then count what the stream gets accepted in ``args.seconds``."""
    replicas = sum(1 for r in cluster.replicas["gateway"] if r.alive)
    stream = FilingStream(client, party, code, concurrency=args.concurrency)
    stop = asyncio.Event()
    task = asyncio.create_task(stream.run(stop))
    await asyncio.sleep(args.warmup)
    accepted_before = len(stream.result.all_accepted)
    latencies_before = len(stream.result.latencies)
    failed_before = len(stream.result.failed)
    cpu_before = await _cpu_by_group(cluster)
    psutil.cpu_percent(None)
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    await asyncio.sleep(args.seconds)
    elapsed = time.monotonic() - started
    accepted_after = len(stream.result.all_accepted)
    latencies = stream.result.latencies[latencies_before:]
    busy = psutil.cpu_percent(None)
    cpu_after = await _cpu_by_group(cluster)
    load_after = os.getloadavg()[0]
    stop.set()
    await task
    return Phase(
        replicas=replicas,
        seconds=elapsed,
        filings=accepted_after - accepted_before,
        latencies=latencies,
        cpu=_spent(cpu_before, cpu_after),
        machine_busy=busy,
        load_average=(load_before + load_after) / 2,
        failed=len(stream.result.failed) - failed_before,
    )


def report(phases: list[Phase], args: argparse.Namespace) -> str:
    """The phases as the markdown table docs/performance.md records."""
    cores = psutil.cpu_count() or 0
    lines = [
        f"{cores} cores; {args.concurrency} concurrent filers; {args.seconds:.0f} s per phase after "
        f"{args.warmup:.0f} s warm-up.",
        "",
        "| replicas of every service | filings/s | p50 ms | p95 ms | p99 ms | CPU ms per filing (all) "
        "| gateway | declaration | other services | HAProxy + broker + Redis | PostgreSQL "
        "| load generator | machine busy | load avg | failed |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for phase in phases:
        others = sum(phase.cpu_ms_per_filing(s) for s in ("logistics", "payments", "stats"))
        infra = sum(phase.cpu_ms_per_filing(g) for g in ("haproxy", "broker", "redis"))
        total = sum(phase.cpu_ms_per_filing(g) for g in GROUPS)
        lines.append(
            f"| {phase.replicas} | {phase.per_second:.1f} | {phase.percentile(0.5):.0f} "
            f"| {phase.percentile(0.95):.0f} | {phase.percentile(0.99):.0f} | {total:.1f} "
            f"| {phase.cpu_ms_per_filing('gateway'):.1f} | {phase.cpu_ms_per_filing('declaration'):.1f} "
            f"| {others:.1f} | {infra:.1f} | {phase.cpu_ms_per_filing('postgres'):.1f} "
            f"| {phase.cpu_ms_per_filing('load generator'):.1f} | {phase.machine_busy:.0f} % "
            f"| {phase.load_average:.1f} | {phase.failed} |"
        )
    two = [p.per_second for p in phases if p.replicas == 2]
    one = [p.per_second for p in phases if p.replicas == 1]
    if two and one and one[0]:
        lines += ["", f"two replicas / one: {statistics.mean(two) / statistics.mean(one):.2f}×"]
    return "\n".join(lines)


async def run(args: argparse.Namespace) -> int:
    """Start the cluster, measure two, one and two replicas, print the table."""
    var = Path(tempfile.mkdtemp(prefix="ddt-cluster-bench-"))
    base = 20000 + (free_port() % 200) * 100
    cluster = Cluster(
        var=var, layout=Layout(base=base, replicas=2), database_prefix=f"ddt_b{uuid.uuid4().hex[:6]}_"
    )
    phases: list[Phase] = []
    try:
        print(f"starting the cluster in {var} …", flush=True)
        await asyncio.to_thread(cluster.start, fresh=True)
        assert cluster.admin_credential is not None
        client = SignedClient(cluster.gateway_url)
        party, code = await client.onboard_filer(Credential.of(cluster.admin_credential), "Bench enterprise")
        second = [cluster.replica(s, 2) for s in START_ORDER]
        try:
            print("two replicas …", flush=True)
            phases.append(await measure(cluster, client, party, code, args))
            await asyncio.to_thread(cluster.take_out, second)
            print("one replica …", flush=True)
            phases.append(await measure(cluster, client, party, code, args))
            await asyncio.to_thread(cluster.put_back, second)
            print("two replicas again …", flush=True)
            phases.append(await measure(cluster, client, party, code, args))
        finally:
            await client.aclose()
    finally:
        await asyncio.to_thread(cluster.stop)
        await cluster.drop_databases()
    print()
    print(report(phases, args))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="measured time per phase")
    parser.add_argument("--warmup", type=float, default=4.0, help="unmeasured time at the start of a phase")
    parser.add_argument("--concurrency", type=int, default=16, help="filings in flight")
    return asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
