"""Tracking benchmark: carrier events ingested through the gateway, and a shipment's timeline
read over ten million stored events, both on PostgreSQL.

    python -m bench.logistics_tracking [--duration 15] [--connections 4] [--rate 20]
                                       [--events 10000000] [--queries 1000]
                                       [--no-ingest] [--no-timeline] [--keep]

1. **Ingest.** Real processes, as in production: the tansu broker, the gateway
   (``python -m services.gateway serve``: signature, registry, nonce, rate limit, idempotency,
   audit, identity token, proxy) and the logistics service (``python -m services.logistics
   serve``, carrier simulator off), each on a PostgreSQL database of its own. A carrier
   party is provisioned with the gateway's admin CLI and given a credential; its shipments
   (one leg each) are made through the gateway beforehand, outside the clock. Then the
   platform batch route ``POST /v1/logistics/events`` takes 100 events per request, each
   request DDT1-HMAC-SHA256-signed with that credential (built before the clock): a closed
   loop (``--connections`` clients back to back: the maximum) and an open loop at ``--rate``
   requests/s (latency at that arrival rate, queueing included). Every event of a request
   is for a different leg than the request's neighbours touch (two events for each of 50
   legs), ten events a leg in all, so each push locks and derives 50 shipments. CPU of the
   gateway and logistics processes is measured per event. Afterwards the benchmark counts
   the events stored and checks it equals the events the service answered ``accepted``
   (no loss), then pushes some requests again and checks they are all answered ``duplicate``
   and the count does not move (stored once).
   Baseline in the same run: the same bodies parsed and normalised in this process
   (``adapters.registry.read_push`` — JSON, validation, vocabulary, times — plus the
   deduplication key of every event), without HTTP or a database.
2. **Timeline.** A scratch database, the logistics app in process (httpx ASGITransport, an
   identity token per request as the gateway mints it). Shipment A and its 40 events are
   made through the API; ``GET /v1/logistics/shipments/{id}/timeline?limit=100`` as its
   carrier is timed ``--queries`` times: the baseline, on a nearly empty table. Then
   ``tracking_events`` is filled with COPY (asyncpg ``copy_records_to_table``, the table's
   indexes in place) to ``--events`` rows over ``--events``/20 shipments of two legs,
   interleaved in arrival order as a day's pushes would be; a second shipment B gets its 40
   events scattered through the fill (one every ``--events``/40 rows, so each sits on its
   own heap page). ANALYZE, then A and B are timed again. The fill's duration is reported.

Targets (issue 10): ingest ≥ 2,000 events/s with p99 < 500 ms per 100-event request;
timeline p99 < 50 ms with 10 million events stored.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402
import psutil  # noqa: E402
from asgi_lifespan import LifespanManager  # noqa: E402

from bench.declaration_intake import _admin, _exchange, _popen  # noqa: E402
from bench.processes import stop_processes  # noqa: E402
from bench.scratch_db import SERVER, create_database, drop_database, sqlalchemy_url  # noqa: E402
from bench.wire import Credential, signed_request  # noqa: E402
from deploy.embedded import broker_command, wait_for_port  # noqa: E402
from services.gateway.parties.uscc import generate_uscc  # noqa: E402
from services.logistics.adapters.registry import PushContext, read_push  # noqa: E402
from services.logistics.app import create_app  # noqa: E402
from services.logistics.base import table_of  # noqa: E402
from services.logistics.settings import LogisticsSettings  # noqa: E402
from services.logistics.tracking.models import TrackingEvent  # noqa: E402
from services.logistics.tracking.service import CarrierRef, dedup_key  # noqa: E402
from shared.db import Database  # noqa: E402
from shared.identity import IDENTITY_HEADER, Identity, IdentitySigner, PartyCode  # noqa: E402
from shared.migrations import upgrade_to_head  # noqa: E402
from shared.settings import DEV_IDENTITY_SEED, Environment, PlatformSettings  # noqa: E402
from shared.xml_security import XmlLimits  # noqa: E402
from tests.support.infra import REDIS_URL, create_pg_database, drop_pg_database, free_port  # noqa: E402

EVENTS = "/v1/logistics/events"
SHIPMENTS = "/v1/logistics/shipments"
PER_REQUEST = 100
PER_LEG = 10  # events a leg receives in all
PER_LEG_IN_REQUEST = 2  # events of one leg in one request
STATUSES = ["info_received", *["in_transit"] * (PER_LEG - 2), "delivered"]
PLACES = [("CNLYG", "Lianyungang", "CN"), ("CNSHA", "Shanghai", "CN"), ("KRINC", "Incheon", "KR")]


# --- ingest: requests ---------------------------------------------------------------------------


def signed(host: str, method: str, path: str, body: bytes, credential: Credential) -> bytes:
    """One signed JSON request as bytes on the wire."""
    return signed_request(host, method, path, body, credential, "application/json")


def shipment_body(code: str, number: str) -> bytes:
    """A one-leg export shipment made by the carrier ``code``."""
    return json.dumps(
        {
            "direction": "export",
            "order_no": f"ORD{number}",
            "legs": [
                {
                    "role": "linehaul",
                    "mode": "express",
                    "carrier_code": code,
                    "tracking_number": number,
                    "origin": {"locode": "CNLYG"},
                    "destination": {"locode": "KRINC"},
                }
            ],
        }
    ).encode()


def event_bodies(numbers: list[str], start: dt.datetime) -> list[bytes]:
    """100-event batches: each leg's ten events in five requests far apart, two at a time."""
    legs_per_request = PER_REQUEST // PER_LEG_IN_REQUEST
    blocks = len(numbers) // legs_per_request
    parts = PER_LEG // PER_LEG_IN_REQUEST
    bodies: list[bytes] = []
    for part in range(parts):
        for block in range(blocks):
            events = []
            for number in numbers[block * legs_per_request : (block + 1) * legs_per_request]:
                for k in range(part * PER_LEG_IN_REQUEST, (part + 1) * PER_LEG_IN_REQUEST):
                    locode, name, country = PLACES[k % len(PLACES)]
                    at = (start + dt.timedelta(hours=3 * k)).astimezone(dt.timezone(dt.timedelta(hours=8)))
                    events.append(
                        {
                            "tracking_number": number,
                            "event_id": f"{number}-{k}",
                            "occurred_at": at.isoformat(),
                            "status": STATUSES[k],
                            "code": f"S{k:02d}",
                            "text": f"parcel scanned at {name}",
                            "location": {"locode": locode, "name": name, "country": country},
                        }
                    )
            bodies.append(json.dumps({"events": events}).encode())
    return bodies


# --- ingest: load generator ---------------------------------------------------------------------


@dataclass
class Outcome:
    """Latencies and answers of one measurement."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    elapsed: float = 0.0

    def record(self, status: int, body: bytes, started: float) -> None:
        self.latencies.append(time.perf_counter() - started)
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status == 200:
            answer = json.loads(body)
            self.accepted += answer["accepted"]
            self.duplicates += answer["duplicates"]
            self.rejected += answer["rejected"]

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")

    def summary(self) -> dict[str, Any]:
        return {
            "requests": len(self.latencies),
            "elapsed_s": round(self.elapsed, 2),
            "events_per_s": round(self.accepted / self.elapsed, 1) if self.elapsed else 0.0,
            "p50_ms": round(self.pct(0.50), 1),
            "p95_ms": round(self.pct(0.95), 1),
            "p99_ms": round(self.pct(0.99), 1),
            "max_ms": round(max(self.latencies) * 1000, 1) if self.latencies else None,
            "statuses": self.statuses,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
        }


async def closed_loop(port: int, requests: Iterator[bytes], connections: int, duration: float) -> Outcome:
    """``connections`` clients back to back until ``duration`` or the requests run out."""
    outcome = Outcome()
    deadline = time.perf_counter() + duration

    async def client() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=2**24)
        try:
            for request in requests:
                started = time.perf_counter()
                status, body, _head = await _exchange(reader, writer, request)
                outcome.record(status, body, started)
                if time.perf_counter() >= deadline:
                    break
        finally:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(connections)))
    outcome.elapsed = time.perf_counter() - began
    return outcome


async def open_loop(port: int, requests: list[bytes], rate: float) -> Outcome:
    """Requests at a fixed arrival rate; latency counted from each one's scheduled send time."""
    outcome = Outcome()
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    began = time.perf_counter()

    async def one(index: int) -> None:
        scheduled = began + index / rate
        await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
        connection = idle.pop() if idle else await asyncio.open_connection("127.0.0.1", port, limit=2**24)
        status, body, _head = await _exchange(*connection, requests[index])
        outcome.record(status, body, scheduled)
        idle.append(connection)

    await asyncio.gather(*(one(i) for i in range(len(requests))))
    outcome.elapsed = time.perf_counter() - began
    for _reader, writer in idle:
        writer.close()
    return outcome


def _cpu(pids: dict[str, int]) -> dict[str, float]:
    return {name: sum(psutil.Process(pid).cpu_times()[:2]) for name, pid in pids.items()}


def baseline_rate(bodies: list[bytes], code: str, seconds: float = 3.0) -> float:
    """Events/s of the adapter (parse, validate, normalise) and the deduplication key, in process."""
    ctx = PushContext(1000, XmlLimits(max_bytes=16 * 2**20, max_depth=32), dt.datetime.now(dt.UTC))
    carrier = CarrierRef(code=code)
    count, began, i = 0, time.perf_counter(), 0
    while time.perf_counter() - began < seconds:
        parsed = read_push("generic", bodies[i % len(bodies)], "application/json", ctx)
        assert not parsed.refusals, parsed.refusals
        for candidate in parsed.candidates:
            dedup_key(candidate, carrier)
        count += len(parsed.candidates)
        i += 1
    return count / (time.perf_counter() - began)


def ingest(args: argparse.Namespace) -> dict[str, Any]:
    """Start the broker, gateway and logistics service; prepare; measure; stop everything."""
    work = Path(tempfile.mkdtemp(prefix="ddt-bench-track-"))
    gateway_db = asyncio.run(create_pg_database("ddt_bench_gw"))
    logistics_db = asyncio.run(create_pg_database("ddt_bench_track"))
    broker_port, logistics_port, gateway_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DDT_ENVIRONMENT": "test",
        "DDT_VAR_DIR": str(work),
        "DDT_KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{broker_port}",
        "DDT_REDIS_URL": REDIS_URL,
        "DDT_GATEWAY_DATABASE_URL": gateway_db,
        "DDT_GATEWAY_REDIS_KEY_PREFIX": f"ddt-bench:{uuid.uuid4().hex[:8]}:",
        "DDT_GATEWAY_LOGISTICS_URL": f"http://127.0.0.1:{logistics_port}",
        "DDT_GATEWAY_DECLARATION_URL": f"http://127.0.0.1:{free_port()}",
        "DDT_GATEWAY_RATE_LIMIT_PER_SECOND": "1000000",
        "DDT_GATEWAY_RATE_LIMIT_BURST": "1000000",
        "DDT_LOGISTICS_DATABASE_URL": logistics_db,
        "DDT_LOGISTICS_CARRIER_SIMULATOR_ENABLED": "false",
    }
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        processes["broker"] = _popen(broker_command(broker_port), env, work / "broker.log")
        for service in ("gateway", "logistics"):
            subprocess.run(
                [sys.executable, "-m", f"services.{service}", "migrate"],  # noqa: S603
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
            )
        code = "32079" + uuid.uuid4().hex[:5].upper()
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
            "--code",
            f"{code}=logisticsCode,copCode",
        )
        issued = _admin(env, "credentials", "create", party["id"], "--label", "bench")
        credential = Credential(issued["key_id"], issued["secret"])
        processes["logistics"] = _popen(
            [sys.executable, "-m", "services.logistics", "serve", "--port", str(logistics_port)],
            env,
            work / "logistics.log",
        )
        processes["gateway"] = _popen(
            [sys.executable, "-m", "services.gateway", "serve", "--port", str(gateway_port)],
            env,
            work / "gateway.log",
        )
        for port in (logistics_port, gateway_port):
            if not wait_for_port(port, 60):
                raise SystemExit(f"a process did not start; logs in {work}")
        pids = {name: processes[name].pid for name in ("gateway", "logistics")}
        result = asyncio.run(_ingest(args, credential, code, gateway_port, pids, logistics_db, work))
        result["logs"] = str(work)
        return result
    finally:
        stop_processes(reversed(list(processes.values())))
        asyncio.run(drop_pg_database(gateway_db))
        asyncio.run(drop_pg_database(logistics_db))


async def _ingest(
    args: argparse.Namespace,
    credential: Credential,
    code: str,
    port: int,
    pids: dict[str, int],
    database_url: str,
    work: Path,
) -> dict[str, Any]:
    host = f"127.0.0.1:{port}"
    load_at_start = os.getloadavg()
    tag = uuid.uuid4().hex[:6].upper()
    legs_per_request = PER_REQUEST // PER_LEG_IN_REQUEST
    parts = PER_LEG // PER_LEG_IN_REQUEST
    # Enough requests for the closed loop at three times the target, the open loop and warm-up.
    closed_requests = int(3 * 2000 * args.duration / PER_REQUEST)
    open_requests = int(args.rate * args.duration)
    wanted = closed_requests + open_requests + 20
    blocks = -(-wanted // parts)
    numbers = [f"BT{tag}{n:07d}" for n in range(blocks * legs_per_request)]
    # Signed as they are sent: a signature made minutes before it is sent is refused (401, clock skew).
    print(f"making {len(numbers):,} shipments through the gateway (outside the clock) …", flush=True)
    made = await closed_loop(
        port,
        (signed(host, "POST", SHIPMENTS, shipment_body(code, n), credential) for n in numbers),
        8,
        3600,
    )
    assert made.statuses == {201: len(numbers)}, made.statuses
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=20)
    bodies = event_bodies(numbers, start)
    print(f"signing {len(bodies):,} requests of {PER_REQUEST} events …", flush=True)
    requests = [signed(host, "POST", EVENTS, body, credential) for body in bodies]
    warm, rest = requests[:20], requests[20:]
    print("warming up …", flush=True)
    warmed = await closed_loop(port, iter(warm), 2, 600)
    baseline_before = baseline_rate(bodies, code)
    results: dict[str, Any] = {}
    accepted_total = warmed.accepted
    queue = iter(rest[:closed_requests])
    for name, run in (
        ("closed", lambda: closed_loop(port, queue, args.connections, args.duration)),
        ("open", lambda: open_loop(port, rest[closed_requests:], args.rate)),
    ):
        print(f"measuring {name} loop …", flush=True)
        spy = None
        if args.py_spy:
            spy = subprocess.Popen(  # noqa: S603, ASYNC220 — a profiler beside the run, not awaited
                [args.py_spy, "record", "-r", "100", "-f", "raw", "-o", str(work / f"py-spy-{name}.txt"),
                 "-p", str(pids["logistics"]), "-d", str(int(args.duration) + 2)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
            await asyncio.sleep(1)
        before = _cpu(pids)
        outcome = await run()
        used = {k: v - before[k] for k, v in _cpu(pids).items()}
        if spy is not None:
            spy.wait(60)
        summary = outcome.summary()
        summary["cpu_ms_per_event"] = {
            k: round(v * 1000 / outcome.accepted, 3) if outcome.accepted else None for k, v in used.items()
        }
        accepted_total += outcome.accepted
        results[name] = summary
        print(json.dumps(summary), flush=True)
    baseline_after = baseline_rate(bodies, code)
    # Stored once: the count equals what was accepted; the same requests again change nothing.
    conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        stored = await conn.fetchval("SELECT count(*) FROM tracking_events")
        again = [signed(host, "POST", EVENTS, body, credential) for body in bodies[:10]]
        repeat = await closed_loop(port, iter(again), 2, 600)
        stored_after_repeat = await conn.fetchval("SELECT count(*) FROM tracking_events")
        delivered = await conn.fetchval("SELECT count(*) FROM shipments WHERE status = 'delivered'")
    finally:
        await conn.close()
    return {
        "config": {
            "duration_s": args.duration,
            "connections": args.connections,
            "rate": args.rate,
            "shipments": len(numbers),
            "request_bytes": len(bodies[0]),
            "load_average": [round(x, 2) for x in load_at_start],
            "load_average_end": [round(x, 2) for x in os.getloadavg()],
            "cpus": os.cpu_count(),
        },
        "baseline_events_per_s": round((baseline_before + baseline_after) / 2),
        "baseline_spread": [round(baseline_before), round(baseline_after)],
        **results,
        "accepted_total": accepted_total,
        "stored": stored,
        "stored_equals_accepted": stored == accepted_total,
        "repeat": repeat.summary(),
        "stored_after_repeat": stored_after_repeat,
        "delivered_shipments": delivered,
    }


# --- timeline -------------------------------------------------------------------------------------

CARRIER = Identity(
    party_id="bench-carrier",
    party_name="Bench carrier",
    roles=["logistics_firm"],
    codes=[PartyCode(code="3207960004", kinds=[])],
    credential_id="k-bench-carrier",
)
SIGNER = IdentitySigner(DEV_IDENTITY_SEED)
TIMELINE_EVENTS = 40


async def _call(client: httpx.AsyncClient, method: str, path: str, body: Any = None) -> httpx.Response:
    token = SIGNER.mint(CARRIER, audience="ddt-logistics", method=method, path=path)
    return await client.request(method, path, json=body, headers={IDENTITY_HEADER: token})


async def _shipment(client: httpx.AsyncClient, number: str) -> tuple[str, str]:
    made = await _call(
        client,
        "POST",
        SHIPMENTS,
        json.loads(shipment_body(CARRIER.codes[0].code, number)),
    )
    assert made.status_code == 201, made.text
    body = made.json()
    return body["id"], body["legs"][0]["id"]


async def _time_timeline(client: httpx.AsyncClient, shipment_id: str, count: int) -> list[float]:
    path = f"{SHIPMENTS}/{shipment_id}/timeline?limit=100"
    times: list[float] = []
    for i in range(count + 20):
        started = time.perf_counter()
        response = await _call(client, "GET", path)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.text
        assert len(response.json()["items"]) == TIMELINE_EVENTS, len(response.json()["items"])
        if i >= 20:  # warm-up
            times.append(elapsed * 1000)
    return times


def _pcts(times: list[float]) -> dict[str, float]:
    q = statistics.quantiles(times, n=100)
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(q[94], 2),
        "p99_ms": round(q[98], 2),
    }


def _fill_rows(
    start: int, count: int, total: int, target: tuple[str, str, str], now: dt.datetime
) -> list[tuple[Any, ...]]:
    """Rows ``start`` … ``start + count`` of the fill, in arrival order.

    ``total / 20`` shipments of two legs, ten events a leg; event ``k`` belongs to shipment
    ``k * 7919 mod shipments`` so consecutive rows belong to different shipments (a day's
    pushes interleave). Every ``total / 40``-th row is one of shipment B's events instead.
    """
    shipments = max(1, total // 20)
    every = max(1, total // TIMELINE_EVENTS)
    b_shipment, b_leg, b_number = target
    rows = []
    for k in range(start, start + count):
        if k % every == 0 and k // every < TIMELINE_EVENTS:
            n = k // every
            sid, lid, number = b_shipment, b_leg, b_number
        else:
            s = (k * 7919) % shipments
            n = k // shipments  # the shipment's n-th event so far
            sid = f"fill-{s:08d}-0000-0000-000000000000"
            lid = f"fleg-{s:08d}-{n % 2}-0000-000000000000"
            number = f"FL{s:08d}{n % 2}"
        locode, name, country = PLACES[n % len(PLACES)]
        at = now - dt.timedelta(days=30) + dt.timedelta(minutes=k % 40_000, hours=n)
        key = hashlib.sha256(f"fill:{k}".encode()).hexdigest()
        rows.append((
            str(uuid.uuid4()), key, sid, lid, "3207960004", None, number, "generic_json", f"e{k}",
            at, 480, None, at, "in_transit", None, None, False, True, "actual", f"S{n % 10:02d}",
            f"parcel scanned at {name}", locode, name, country, None, None, None, None, None, None,
            CARRIER.party_id, '["3207960004"]',
        ))  # fmt: skip
    return rows


async def _fill(pg_name: str, target: int, b: tuple[str, str, str]) -> tuple[int, float]:
    """COPY events until ``tracking_events`` holds ``target`` rows; (rows, seconds)."""
    conn = await asyncpg.connect(SERVER.rsplit("/", 1)[0] + "/" + pg_name)
    try:
        columns = [c.name for c in table_of(TrackingEvent).columns if c.name != "seq"]
        have = await conn.fetchval("SELECT count(*) FROM tracking_events")
        total, made, batch = target - have, 0, 100_000
        now = dt.datetime.now(dt.UTC)
        began = time.perf_counter()
        while made < total:
            rows = _fill_rows(made, min(batch, total - made), total, b, now)
            await conn.copy_records_to_table("tracking_events", records=rows, columns=columns)
            made += len(rows)
            if made % 1_000_000 < batch:
                print(f"  {have + made:,} events after {time.perf_counter() - began:.0f} s", flush=True)
        await conn.execute("ANALYZE tracking_events")
        return have + made, time.perf_counter() - began
    finally:
        await conn.close()


async def timeline(args: argparse.Namespace) -> dict[str, Any]:
    """Time the timeline read on a nearly empty table, fill to ``--events``, time it again."""
    name = await create_database("ddt_bench_timeline")
    db = Database(sqlalchemy_url(name), pool_size=2, pre_ping=False)
    load_at_start = os.getloadavg()
    try:
        await upgrade_to_head(db, "logistics")
        settings = LogisticsSettings(
            database_url=sqlalchemy_url(name),
            carrier_simulator_enabled=False,
            platform=PlatformSettings(
                environment=Environment.TEST, kafka_bootstrap_servers="127.0.0.1:1", gc_freeze_on_start=False
            ),
        )
        app = create_app(settings)
        tag = uuid.uuid4().hex[:6].upper()
        async with (
            LifespanManager(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client,
        ):
            a_id, _a_leg = await _shipment(client, f"TA{tag}")
            start = dt.datetime.now(dt.UTC) - dt.timedelta(days=10)
            events = [
                {
                    "tracking_number": f"TA{tag}",
                    "event_id": f"a{k}",
                    "occurred_at": (start + dt.timedelta(hours=k)).isoformat(),
                    "status": "in_transit" if k else "info_received",
                    "code": f"S{k:02d}",
                    "text": "parcel scanned",
                    "location": {"locode": "CNLYG"},
                }
                for k in range(TIMELINE_EVENTS)
            ]
            pushed = await _call(client, "POST", EVENTS, {"events": events})
            assert pushed.status_code == 200 and pushed.json()["accepted"] == TIMELINE_EVENTS, pushed.text
            b_number = f"TB{tag}"
            b_id, b_leg = await _shipment(client, b_number)
            print(f"timeline of A on a nearly empty table: {args.queries} reads …", flush=True)
            empty = _pcts(await _time_timeline(client, a_id, args.queries))
            print(json.dumps(empty), flush=True)
            print(f"filling tracking_events to {args.events:,} rows with COPY …", flush=True)
            rows, seconds = await _fill(name, args.events, (b_id, b_leg, b_number))
            print(f"  filled to {rows:,} rows in {seconds:.0f} s", flush=True)
            full_a = _pcts(await _time_timeline(client, a_id, args.queries))
            full_b = _pcts(await _time_timeline(client, b_id, args.queries))
            print(json.dumps({"A": full_a, "B": full_b}), flush=True)
            size = await _table_size(name)
    finally:
        await db.dispose()
        if not args.keep:
            await drop_database(name)
    return {
        "queries": args.queries,
        "events": rows,
        "fill_seconds": round(seconds),
        "table_size": size,
        "load_average": [round(x, 2) for x in load_at_start],
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "baseline_empty_A": empty,
        "full_A": full_a,
        "full_B_scattered": full_b,
    }


async def _table_size(pg_name: str) -> str:
    conn = await asyncpg.connect(SERVER.rsplit("/", 1)[0] + "/" + pg_name)
    try:
        return str(await conn.fetchval("SELECT pg_size_pretty(pg_total_relation_size('tracking_events'))"))
    finally:
        await conn.close()


def main(argv: list[str] | None = None) -> int:
    """Run both parts (or one) and print the figures as JSON."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=15, help="seconds per ingest measurement")
    parser.add_argument("--connections", type=int, default=4, help="closed-loop clients")
    parser.add_argument(
        "--rate", type=float, default=20, help="open-loop 100-event requests/s (20 = 2,000 events/s)"
    )
    parser.add_argument(
        "--events", type=int, default=10_000_000, help="tracking events stored for the timeline"
    )
    parser.add_argument("--queries", type=int, default=1000, help="timeline reads per measurement")
    parser.add_argument("--no-ingest", dest="ingest", action="store_false")
    parser.add_argument("--no-timeline", dest="timeline", action="store_false")
    parser.add_argument("--py-spy", help="path of py-spy: profile the logistics process during ingest")
    parser.add_argument("--keep", action="store_true", help="keep the timeline database")
    args = parser.parse_args(argv)
    result: dict[str, Any] = {}
    if args.ingest:
        result["ingest"] = ingest(args)
    if args.timeline:
        result["timeline"] = asyncio.run(timeline(args))
    print(json.dumps(result, indent=2, default=str))
    ingested = result.get("ingest")
    return (
        0
        if not ingested or (ingested["stored_equals_accepted"] and ingested["repeat"]["accepted"] == 0)
        else 1
    )


if __name__ == "__main__":
    sys.exit(main())
