"""Gateway benchmark: signed requests per second through the gateway to a trivial upstream,
against the same upstream called directly, in one run, with latency percentiles.

Real processes: the tansu broker, the trivial upstream (uvicorn, uvloop, httptools), the
gateway (``python -m services.gateway serve``) on PostgreSQL (default) or SQLite, with
Redis for nonces and rate limits (default) or without; load from ``wrk`` (Debian package
``wrk``: ``apt-get install -y wrk``). Requests through the gateway are pre-signed with
``sdk.signing`` before the clock starts (one fresh nonce each), so the client's signing
cost is not in the measurement; the gateway's verification, registry read, nonce,
rate limit, identity token, proxying and audit are.

    python -m bench.gateway_throughput [--duration 15] [--connections 32] [--threads 2]
                                       [--db postgres|sqlite] [--no-redis] [--write-docs]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.processes import stop_processes  # noqa: E402
from deploy.embedded import broker_command, wait_for_port  # noqa: E402
from sdk.signing import prepare_signature  # noqa: E402
from services.gateway.parties.uscc import generate_uscc  # noqa: E402
from tests.support.infra import POSTGRES_URL, REDIS_URL, create_pg_database, drop_pg_database, free_port  # noqa: E402

PATH = "/v1/logistics/ping"
DOCS = ROOT / "docs" / "performance.md"


def _popen(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)  # noqa: S603


def _admin(env: dict[str, str], *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "services.gateway.admin", *args],
        cwd=ROOT,
        env=env,  # noqa: S603
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def _cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        times = psutil.Process(pid).cpu_times()
        total += times.user + times.system
    return total


def _wrk(
    url: str, args: argparse.Namespace, signed_file: Path | None, pids: list[int] | None = None
) -> dict[str, Any]:
    env = {**os.environ, "WRK_THREADS": str(args.threads)}
    if signed_file:
        env["SIGNED_FILE"] = str(signed_file)
    cpu_before = _cpu_seconds(pids or [])
    done = subprocess.run(  # noqa: S603
        [
            "wrk",
            f"-t{args.threads}",
            f"-c{args.connections}",
            f"-d{args.duration}s",
            "-s",
            str(ROOT / "bench" / "gateway_wrk.lua"),
            url,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(next(line for line in done.stdout.splitlines() if line.startswith("{")))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    if pids:
        # CPU the measured server processes spent per request: independent of what else runs.
        result["server_cpu_ms_per_request"] = (
            (_cpu_seconds(pids) - cpu_before) * 1000 / max(1, result["requests"])
        )
    return result


def _presign(key_id: str, secret: str, count: int, path: Path) -> None:
    now = int(time.time())
    with path.open("w") as handle:
        for _ in range(count):
            signed = prepare_signature(key_id=key_id, secret=secret, method="GET", path=PATH, timestamp=now)
            h = signed.headers
            handle.write(f"{key_id} {h['X-DDT-Timestamp']} {h['X-DDT-Nonce']} {h['X-DDT-Signature']}\n")


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Start everything, measure direct then through the gateway, stop everything."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")

    work = Path(tempfile.mkdtemp(prefix="ddt-bench-gw-"))
    db_url = (
        asyncio.run(create_pg_database("ddt_bench"))
        if args.db == "postgres"
        else f"sqlite+aiosqlite:///{work / 'gateway.db'}"
    )
    broker_port, upstream_port, gateway_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DDT_ENVIRONMENT": "test",
        "DDT_VAR_DIR": str(work),
        "DDT_KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{broker_port}",
        "DDT_GATEWAY_DATABASE_URL": db_url,
        "DDT_GATEWAY_LOGISTICS_URL": f"http://127.0.0.1:{upstream_port}",
        # The limiter still runs on every request; the limit is just out of reach.
        "DDT_GATEWAY_RATE_LIMIT_PER_SECOND": "1000000",
        "DDT_GATEWAY_RATE_LIMIT_BURST": "1000000",
    }
    if not args.no_redis:
        env["DDT_REDIS_URL"] = REDIS_URL
        env["DDT_GATEWAY_REDIS_KEY_PREFIX"] = f"ddt-bench:{uuid.uuid4().hex[:8]}:"
    processes: list[subprocess.Popen[bytes]] = []
    try:
        processes.append(_popen(broker_command(broker_port), env, work / "broker.log"))
        subprocess.run(
            [sys.executable, "-m", "services.gateway", "migrate"],
            cwd=ROOT,
            env=env,
            check=True,  # noqa: S603
            capture_output=True,
        )
        party = _admin(
            env,
            "parties",
            "create",
            "--name",
            "Bench carrier",
            "--uscc",
            generate_uscc("320706", uuid.uuid4().hex),
            "--role",
            "logistics_firm",
        )
        credential = _admin(env, "credentials", "create", party["id"], "--label", "bench")
        processes.append(
            _popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "bench.trivial_upstream:app",
                    "--port",
                    str(upstream_port),
                    "--loop",
                    "uvloop",
                    "--http",
                    "httptools",
                    "--no-access-log",
                    "--log-level",
                    "warning",
                ],
                env,
                work / "upstream.log",
            )
        )
        processes.append(
            _popen(
                [sys.executable, "-m", "services.gateway", "serve", "--port", str(gateway_port)],
                env,
                work / "gateway.log",
            )
        )
        for port in (upstream_port, gateway_port):
            if not wait_for_port(port, 60):
                raise SystemExit(f"a process did not start; logs in {work}")
        signed = work / "signed.txt"
        # Enough fresh nonces for a gateway answering up to 40,000 requests/s.
        _presign(credential["key_id"], credential["secret"], 40_000 * (args.duration + 2), signed)
        warm = argparse.Namespace(**{**vars(args), "duration": 2})
        _wrk(f"http://127.0.0.1:{upstream_port}{PATH}", warm, None)
        upstream_pid, gateway_pid = processes[1].pid, processes[2].pid
        print(
            f"gateway pid {gateway_pid}, upstream pid {upstream_pid}, logs {work}",
            file=sys.stderr,
            flush=True,
        )
        direct = _wrk(f"http://127.0.0.1:{upstream_port}{PATH}", args, None, [upstream_pid])
        _presign(credential["key_id"], credential["secret"], 40_000 * 3, work / "warm.txt")
        _wrk(f"http://127.0.0.1:{gateway_port}{PATH}", warm, work / "warm.txt")
        _presign(credential["key_id"], credential["secret"], 40_000 * (args.duration + 2), signed)
        through = _wrk(f"http://127.0.0.1:{gateway_port}{PATH}", args, signed, [upstream_pid, gateway_pid])
        through["gateway_cpu_ms_per_request"] = (
            through["server_cpu_ms_per_request"] - direct["server_cpu_ms_per_request"]
        )
        # Latency when neither process is saturated: 2 connections, 1 wrk thread.
        light = argparse.Namespace(**{**vars(args), "connections": 2, "threads": 1})
        direct_light = _wrk(f"http://127.0.0.1:{upstream_port}{PATH}", light, None)
        _presign(credential["key_id"], credential["secret"], 10_000 * (args.duration + 2), signed)
        through_light = _wrk(f"http://127.0.0.1:{gateway_port}{PATH}", light, signed)
    finally:
        stop_processes(reversed(processes))
        if args.db == "postgres":
            asyncio.run(drop_pg_database(db_url))
    return {
        "direct": direct,
        "gateway": through,
        "ratio": through["rps"] / direct["rps"],
        "direct_light": direct_light,
        "gateway_light": through_light,
        "light_added_p50_ms": (through_light["p50_us"] - direct_light["p50_us"]) / 1000,
        "light_added_p99_ms": (through_light["p99_us"] - direct_light["p99_us"]) / 1000,
        "added_p50_ms": (through["p50_us"] - direct["p50_us"]) / 1000,
        "added_p99_ms": (through["p99_us"] - direct["p99_us"]) / 1000,
        "config": {
            "db": args.db,
            "redis": not args.no_redis,
            "connections": args.connections,
            "threads": args.threads,
            "duration_s": args.duration,
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "postgres": POSTGRES_URL if args.db == "postgres" else None,
        },
        "logs": str(work),
    }


ANALYSIS = """What limits it, and what was done. The throughput target is missed, by design of the
comparison more than of the gateway: the trivial upstream spends about 0.1 ms of CPU per request,
so 75 % of its rate would leave the gateway about 0.03 ms — less than one pass through any
Python ASGI stack. What the gateway does per request is fixed by the issue: verify an HMAC
signature, record the nonce, take a rate-limit token, check the registry (suspension,
revocation), mint an Ed25519 identity token, proxy, write an access-log line and an audit row.
Profiles (py-spy, `py-spy record -p <gateway pid>` during the run) drove three rounds:

1. Registry read per request (two SQL queries through the ORM, ~1 ms): replaced by an
   in-process cache that stays exact — entries are tagged with a registry generation that every
   registry change bumps in Redis after commit, read in the same Redis call as nonce and bucket
   (one Lua script, one round trip instead of two Redis calls and three SQL statements).
2. Proxied calls went through FastAPI routing and httpx: httpx/httpcore took 55 % of the
   gateway's CPU (its pool probes every pooled socket on every request). Proxied calls are now
   dispatched by the pipeline itself over a small keep-alive HTTP/1.1 pool (asyncio + httptools).
3. Identity-token minting without PyJWT's per-call overhead; cheaper audit batches.
4. The latency tail: every service freezes its start-up heap from the garbage collector
   (`gc.freeze()` after start-up), so the collector's full passes no longer walk the whole
   application; the gateway's p99 at saturation went from 68-77 ms to 23-33 ms.

Gateway CPU per request went from about 4 ms (first version: ~220 requests/s with its process at
full CPU) to 2.2 ms after step 1 and about 0.6 ms after steps 2-3 (this run: above). What remains is spread
thin: uvicorn + Starlette/FastAPI middleware (~35 %), the Redis call (~11 %), the Ed25519
signature (~8 %), logging (~5 %), audit batching (~5 %). The next steps, not taken: more gateway
worker processes (they scale with cores; on this 2-core machine wrk and the upstream share
them), and a compiled gateway in front for the signature check. Below saturation the gateway
adds about 1.2 ms at p50 and, since step 4, 4-5 ms at p99 on a quiet machine (before it, 4-8 ms)
— within the 5 ms budget, with little margin. At saturation, p99 is queueing in the one gateway
process. Requests/s and percentiles move with the machine's other load; the CPU-per-request
figure does not."""


def markdown(result: dict[str, Any], command: str) -> str:
    """The Gateway section body for docs/performance.md."""
    d, g = result["direct"], result["gateway"]
    cfg = result["config"]
    database = "PostgreSQL" if cfg["db"] == "postgres" else "SQLite"
    stores = "Redis nonces and rate limits" if cfg["redis"] else "database nonces, in-process rate limits"
    cpu_direct = d["server_cpu_ms_per_request"]
    cpu_both = g["server_cpu_ms_per_request"]
    cpu_gateway = g["gateway_cpu_ms_per_request"]

    def row(name: str, r: dict[str, Any]) -> str:
        return (
            f"| {name} | {r['rps']:,.0f} | {r['p50_us'] / 1000:.2f} | {r['p95_us'] / 1000:.2f} | "
            f"{r['p99_us'] / 1000:.2f} | {r['non_2xx'] + r['socket_errors']} |"
        )

    return "\n".join(
        [
            f"Command: `{command}` (needs `wrk`, Debian: `apt-get install -y wrk`; PostgreSQL and Redis "
            "as in CI).",
            "",
            f"Setup: {cfg['cpus']} cores shared by wrk ({cfg['threads']} threads, "
            f"{cfg['connections']} connections, {cfg['duration_s']} s per measurement), the trivial "
            f"upstream (1 uvicorn process) and the gateway (1 uvicorn process, {database}, {stores}); "
            "GET with a pre-signed DDT1-HMAC-SHA256 request, fresh nonce each.",
            "",
            "| Path | Requests/s | p50 ms | p95 ms | p99 ms | errors |",
            "|---|---|---|---|---|---|",
            row(f"upstream called directly, {cfg['connections']} connections", d),
            row(f"through the gateway (signed), {cfg['connections']} connections", g),
            row("upstream called directly, 2 connections", result["direct_light"]),
            row("through the gateway (signed), 2 connections", result["gateway_light"]),
            "",
            "CPU per request (from the processes' own counters, so independent of other load on the "
            f"machine): upstream {cpu_direct:.2f} ms; upstream + gateway {cpu_both:.2f} ms, so the gateway "
            f"spends **{cpu_gateway:.2f} ms of CPU per request**.",
            "",
            f"At saturation the gateway keeps **{result['ratio']:.0%}** of direct throughput "
            f"(target ≥ 75 %) and adds {result['added_p50_ms']:.2f} ms at p50, "
            f"{result['added_p99_ms']:.2f} ms at p99 (queueing in a saturated process). Below saturation "
            f"(2 connections) it adds **{result['light_added_p50_ms']:.2f} ms at p50 and "
            f"{result['light_added_p99_ms']:.2f} ms at p99** (target < 5 ms).",
            "",
            ANALYSIS,
        ]
    )


def write_docs(section: str) -> None:
    """Replace the body of the ``## Gateway`` section of docs/performance.md (only that section)."""
    text = DOCS.read_text(encoding="utf-8")
    pattern = re.compile(r"(## Gateway\n\n)(.*?)(\n## )", re.S)
    if not pattern.search(text):
        raise SystemExit("docs/performance.md has no '## Gateway' section followed by another section")
    DOCS.write_text(
        pattern.sub(lambda m: m.group(1) + section + "\n" + m.group(3), text, count=1), encoding="utf-8"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print (and optionally record) the results."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--no-redis", action="store_true")
    parser.add_argument("--write-docs", action="store_true", help="record the results in docs/performance.md")
    args = parser.parse_args(argv)
    result = run(args)
    print(json.dumps(result, indent=2))
    command = "python -m bench.gateway_throughput " + " ".join(
        a for a in (argv or sys.argv[1:]) if a != "--write-docs"
    )
    section = markdown(result, command.strip())
    print(section)
    if args.write_docs:
        write_docs(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
