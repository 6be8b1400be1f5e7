"""Customs exchange benchmark: documents carried from acceptance to 899 per second, beside intake.

Real processes on PostgreSQL: the tansu broker, the declaration service
(``python -m services.declaration serve``) with the embedded customs simulator answering
at once (delay scale 0; no random review, inspection or rejection, so every inventory
takes the full path 2 → 3 → 120 → 399 → 800 → 899 with its CEB816 tax bill), and the
gateway (``python -m services.gateway serve``, Redis for nonces and rate limits) for the
intake as enterprises use it.

Import sets — order CEB311, payment CEB411, waybill CEB511, inventory CEB621; 100 records
per message; each set its own buyer. One run, in order:

* **intake only, direct** — the service with the exchange off, called directly with the
  internal identity tokens the gateway would add (minted with the development identity
  key, as the tests do): sets filed per second, i.e. inventories accepted with their
  three partners;
* **intake only, through the gateway** — the same filings signed with DDT1-HMAC-SHA256
  by a party provisioned with the gateway's admin CLI (``sdk.signing``), as in production;
* **exchange only** — the service restarted with the exchange on, draining that backlog:
  inventories carried from acceptance to 899 per second (their partners to 399), every
  receipt parsed and applied, every change recorded and published as an event;
* **both at once** — more sets filed through the gateway while the exchange runs: the
  intake rate then, and how long after the last filing the last inventory closes.

Target: the exchange keeps up with intake — its rate ≥ 80 % of the intake-only rate.

In the same run, the bare decode of the same 100-record inventory message (``json.loads`` and
the pure core's ``message_from_json``, in the load generator's process, before and after the
phases) is the machine-speed baseline every rate is also stated against. After every phase
the inventories are counted by status in the declaration database, and the histogram must
account for every inventory filed; the peak resident memory of the declaration and gateway
processes is sampled every 50 ms during each phase.

    python -m bench.declaration_exchange [--sets 2000] [--connections 4] [--write-docs]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import psutil
from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.declaration_intake import RssSampler, _admin  # noqa: E402
from deploy.embedded import broker_command, wait_for_port  # noqa: E402
from sdk.signing import prepare_signature  # noqa: E402
from services.declaration.ceb.json_codec import message_from_json, message_to_json  # noqa: E402
from services.declaration.ceb.model import CebMessage  # noqa: E402
from services.gateway.parties.uscc import generate_uscc  # noqa: E402
from shared.db import Database  # noqa: E402
from shared.identity import IDENTITY_HEADER, Identity, IdentitySigner, PartyCode  # noqa: E402
from shared.settings import DEV_IDENTITY_SEED  # noqa: E402
from tests.declaration.service.factory import AGENT, AREA, CARRIER, EBC, EBP, PAY, import_set  # noqa: E402
from tests.support.infra import REDIS_URL, create_pg_database, drop_pg_database, free_port  # noqa: E402

DOCS = ROOT / "docs" / "performance.md"
SECTION = "## Customs exchange"
PATHS = {
    "order": "/v1/customs/import/orders",
    "payment": "/v1/customs/import/payments",
    "waybill": "/v1/customs/import/waybills",
    "inventory": "/v1/customs/import/inventories",
}
FILER = Identity(
    party_id="bench-enterprise",
    party_name="Bench enterprise",
    roles=["ecommerce_enterprise"],
    codes=[PartyCode(code=code, kinds=[]) for code in (EBP, EBC, PAY, CARRIER, AGENT, AREA)],
    district="320706",
    park="lyg-cbec-park",
)
SIGNER = IdentitySigner(DEV_IDENTITY_SEED)
CODES = [
    f"{EBP}=ebpCode,copCode",
    f"{EBC}=ebcCode,copCode",
    f"{PAY}=payCode,copCode",
    f"{CARRIER}=logisticsCode,copCode",
    f"{AGENT}=agentCode,assureCode,copCode",
    f"{AREA}=areaCode",
]


# --- documents and requests -----------------------------------------------------------------------


def _buyer() -> str:
    return "3207" + str(uuid.uuid4().int)[:13] + "X"


def messages(count: int, tag: str) -> list[tuple[str, bytes]]:
    """Filings for ``count`` linked 1210 sets, partners first, 100 records per message, as JSON bodies."""
    sets = [import_set(f"{tag}{n:06d}", "1210", buyer_id=_buyer()) for n in range(count)]
    out: list[tuple[str, bytes]] = []
    for start in range(0, count, 100):
        chunk = sets[start : start + 100]
        for kind in ("order", "payment", "waybill", "inventory"):
            message: CebMessage = copy.deepcopy(chunk[0][kind])
            message.guid = str(uuid.uuid4()).upper()
            message.records = [s[kind].records[0] for s in chunk]
            out.append((PATHS[kind], json.dumps(message_to_json(message), ensure_ascii=False).encode()))
    return out


async def file_all(
    base_url: str,
    filings: list[tuple[str, bytes]],
    connections: int,
    credential: tuple[str, str] | None = None,
) -> tuple[float, int]:
    """File in order over ``connections`` keep-alive connections; returns (seconds, records accepted).

    Without ``credential`` the declaration service is called directly with an identity token;
    with ``(key_id, secret)`` each request is signed for the gateway (fresh nonce, Idempotency-Key).
    """
    queue = iter(filings)
    accepted = 0
    lock = asyncio.Lock()

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal accepted
        while True:
            async with lock:
                item = next(queue, None)
            if item is None:
                return
            path, body = item
            if credential is None:
                token = SIGNER.mint(FILER, audience="ddt-declaration", method="POST", path=path)
                headers = {IDENTITY_HEADER: token, "content-type": "application/json"}
            else:
                signed = prepare_signature(
                    key_id=credential[0], secret=credential[1], method="POST", path=path, body=body
                )
                headers = {
                    **signed.headers,
                    "content-type": "application/json",
                    "Idempotency-Key": str(uuid.uuid4()),
                }
            response = await client.post(path, content=body, headers=headers)
            if response.status_code != 200:
                raise SystemExit(f"filing refused: {response.status_code} {response.text[:500]}")
            answer = response.json()
            accepted += answer["acceptedCount"] if "acceptedCount" in answer else len(answer["records"])

    began = time.perf_counter()
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:
        await asyncio.gather(*(worker(client) for _ in range(connections)))
    return time.perf_counter() - began, accepted


# --- the service ------------------------------------------------------------------------------------


class Service:
    """A service process (restartable with other settings)."""

    def __init__(self, env: dict[str, str], work: Path, port: int, name: str = "declaration") -> None:
        self.env, self.work, self.port, self.name = env, work, port, name
        self.process: subprocess.Popen[bytes] | None = None
        self.lives = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, **settings: str) -> None:
        self.lives += 1
        env = {**self.env, **{f"DDT_{self.name.upper()}_{k.upper()}": v for k, v in settings.items()}}
        log = (self.work / f"{self.name}-{self.lives}.log").open("ab")
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", f"services.{self.name}", "serve", "--port", str(self.port)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        if not wait_for_port(self.port, 60):
            raise SystemExit(f"the {self.name} service did not start; see {self.work}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def cpu(self) -> float:
        assert self.process is not None
        return sum(psutil.Process(self.process.pid).cpu_times()[:2])

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid


def bare_decode_rate(body: bytes, seconds: float = 3.0) -> float:
    """Records/s of json.loads + the pure core's message_from_json of ``body`` in this process."""
    records = len(message_from_json(json.loads(body)).message.records)  # type: ignore[union-attr]
    count, began = 0, time.perf_counter()
    while time.perf_counter() - began < seconds:
        assert message_from_json(json.loads(body)).ok
        count += 1
    return count * records / (time.perf_counter() - began)


async def histogram(db: Database) -> dict[str, int]:
    """Inventories by (document status, customs state): every filed inventory must be counted."""
    async with db.transaction() as session:
        rows = (
            await session.execute(
                text(
                    "SELECT d.status, coalesce(c.state_code, '-') AS state, count(*) FROM documents d "
                    "LEFT JOIN customs_documents c ON c.document_id = d.id "
                    "WHERE d.kind = 'inventory' GROUP BY 1, 2 ORDER BY 3 DESC"
                )
            )
        ).all()
    return {f"{status}/{state}": int(n) for status, state, n in rows}


def postgres_cpu() -> float:
    return sum(
        sum(p.cpu_times()[:2])
        for p in psutil.process_iter(["name"])
        if (p.info["name"] or "").startswith("postgres")
    )


async def closed_count(db: Database) -> tuple[int, int]:
    """(inventories closed, inventories with customs) right now."""
    async with db.transaction() as session:
        row = (
            await session.execute(
                text(
                    "SELECT count(*) FILTER (WHERE state_code = '899'), count(*) "
                    "FROM customs_documents WHERE message_type = 'CEB621'"
                )
            )
        ).one()
    return int(row[0]), int(row[1])


async def wait_closed(db: Database, target: int, timeout: float) -> float:
    """Seconds until ``target`` inventories are closed (polling every 50 ms)."""
    began = time.perf_counter()
    while True:
        closed, _ = await closed_count(db)
        if closed >= target:
            return time.perf_counter() - began
        if time.perf_counter() - began > timeout:
            raise SystemExit(f"only {closed} of {target} inventories closed after {timeout:.0f} s")
        await asyncio.sleep(0.05)


async def totals(db: Database) -> dict[str, int]:
    async with db.transaction() as session:
        found = {}
        for name, sql in {
            "documents": "SELECT count(*) FROM documents",
            "outbound_messages": "SELECT count(*) FROM customs_outbox",
            "receipt_messages": "SELECT count(*) FROM customs_receipts",
            "receipt_entries": "SELECT count(*) FROM customs_receipt_entries",
            "status_changes": "SELECT count(*) FROM document_status_changes",
            "events": "SELECT count(*) FROM outbox",
            "unresolved_receipts": "SELECT count(*) FROM customs_receipts WHERE status <> 'applied'",
        }.items():
            found[name] = int((await session.execute(text(sql))).scalar_one())
    return found


# --- the run ----------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="ddt-bench-exchange-"))
    database = asyncio.run(create_pg_database("ddt_bench_exchange"))
    gateway_db = asyncio.run(create_pg_database("ddt_bench_exchange_gw"))
    broker_port, port, gateway_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DDT_ENVIRONMENT": "test",
        "DDT_VAR_DIR": str(work),
        "DDT_LOG_LEVEL": "WARNING",
        "DDT_KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{broker_port}",
        "DDT_DECLARATION_DATABASE_URL": database,
        "DDT_REDIS_URL": REDIS_URL,
        "DDT_GATEWAY_DATABASE_URL": gateway_db,
        "DDT_GATEWAY_REDIS_KEY_PREFIX": f"ddt-bench-exchange:{uuid.uuid4().hex[:8]}:",
        "DDT_GATEWAY_DECLARATION_URL": f"http://127.0.0.1:{port}",
        "DDT_GATEWAY_RATE_LIMIT_PER_SECOND": "1000000",
        "DDT_GATEWAY_RATE_LIMIT_BURST": "1000000",
        "DDT_GATEWAY_MAX_BODY_BYTES": str(16 * 1024 * 1024),
        "DDT_DECLARATION_CUSTOMS_SIMULATOR_DELAY_SCALE": "0",
        "DDT_DECLARATION_CUSTOMS_SIMULATOR_REVIEW_RATE": "0",
        "DDT_DECLARATION_CUSTOMS_SIMULATOR_INSPECTION_RATE": "0",
        "DDT_DECLARATION_CUSTOMS_SIMULATOR_REJECTION_RATE": "0",
    }
    broker = subprocess.Popen(  # noqa: S603
        broker_command(broker_port), stdout=(work / "broker.log").open("ab"), stderr=subprocess.STDOUT
    )
    service = Service(env, work, port)
    gateway = Service(env, work, gateway_port, "gateway")
    try:
        for name in ("declaration", "gateway"):
            subprocess.run(
                [sys.executable, "-m", f"services.{name}", "migrate"], cwd=ROOT, env=env, check=True,
                capture_output=True,
            )  # fmt: skip
        party = _admin(
            env, "parties", "create", "--name", "Bench enterprise",
            "--uscc", generate_uscc("320706", uuid.uuid4().hex),
            "--role", "ecommerce_enterprise", "--role", "ecommerce_platform", "--role", "logistics_firm",
            "--role", "payment_institution", *(a for code in CODES for a in ("--code", code)),
        )  # fmt: skip
        issued = _admin(env, "credentials", "create", party["id"], "--label", "bench-exchange")
        gateway.start()
        return asyncio.run(
            _measure(args, service, gateway, (issued["key_id"], issued["secret"]), database, work)
        )
    finally:
        gateway.stop()
        service.stop()
        broker.terminate()
        broker.wait(15)
        asyncio.run(drop_pg_database(database))
        asyncio.run(drop_pg_database(gateway_db))


async def _measure(
    args: argparse.Namespace,
    service: Service,
    gateway: Service,
    credential: tuple[str, str],
    database: str,
    work: Path,
) -> dict[str, Any]:
    db = Database(database)
    tag = uuid.uuid4().hex[:5].upper()
    load = os.getloadavg()
    print(f"building 4 × {args.sets} import sets …", flush=True)
    warm = messages(200, f"W{tag}")
    direct = messages(args.sets, f"D{tag}")
    through = messages(args.sets, f"G{tag}")
    during = messages(args.sets, f"C{tag}")
    results: dict[str, Any] = {"sets": args.sets, "connections": args.connections, "load_at_start": load}
    inventory_body = next(body for path, body in direct if path == PATHS["inventory"])
    print("measuring the bare decode of the same inventory message …", flush=True)
    bare_before = bare_decode_rate(inventory_body)
    filed = 0  # inventories accepted so far, for the histogram check

    async def check(phase: str, filed_now: int) -> None:
        """The status histogram after a phase must account for every inventory filed."""
        found = await histogram(db)
        results.setdefault("histograms", {})[phase] = {
            "filed": filed_now,
            "by_status": found,
            "accounted": sum(found.values()) == filed_now,
        }
        print(json.dumps({f"histogram after {phase}": results["histograms"][phase]}), flush=True)

    def pids() -> dict[str, int]:
        return {"declaration": service.pid, "gateway": gateway.pid}

    def intake(
        seconds: float, accepted: int, cpu: float, pg: float, gw: float | None = None
    ) -> dict[str, Any]:
        found = {
            "seconds": round(seconds, 2),
            "records": accepted,
            "sets_per_s": round(args.sets / seconds, 1),
            "declaration_cpu_ms_per_set": round((service.cpu() - cpu) * 1000 / args.sets, 2),
            "postgres_cpu_ms_per_set": round((postgres_cpu() - pg) * 1000 / args.sets, 2),
        }
        if gw is not None:
            found["gateway_cpu_ms_per_set"] = round((gateway.cpu() - gw) * 1000 / args.sets, 2)
        return found

    try:
        # 1. Intake only: directly, then through the gateway.
        service.start(customs_exchange_enabled="false")
        await file_all(service.url, warm[: len(warm) // 2], args.connections)
        await file_all(gateway.url, warm[len(warm) // 2 :], args.connections, credential)
        filed = 200
        cpu, pg = service.cpu(), postgres_cpu()
        with RssSampler(pids()) as rss:
            seconds, accepted = await file_all(service.url, direct, args.connections)
        results["intake_direct"] = intake(seconds, accepted, cpu, pg)
        results["intake_direct"]["peak_rss_mb"] = rss.peak_mb
        print(json.dumps({"intake_direct": results["intake_direct"]}), flush=True)
        filed += args.sets
        await check("intake_direct", filed)
        cpu, pg, gw = service.cpu(), postgres_cpu(), gateway.cpu()
        with RssSampler(pids()) as rss:
            seconds, accepted = await file_all(gateway.url, through, args.connections, credential)
        results["intake_gateway"] = intake(seconds, accepted, cpu, pg, gw)
        results["intake_gateway"]["peak_rss_mb"] = rss.peak_mb
        print(json.dumps({"intake_gateway": results["intake_gateway"]}), flush=True)
        filed += args.sets
        await check("intake_gateway", filed)
        service.stop()

        # 2. The exchange drains the backlog (the warm-up sets included).
        service.start()
        began_cpu, began_pg = service.cpu(), postgres_cpu()
        total = 200 + 2 * args.sets
        with RssSampler(pids()) as rss:
            seconds = await wait_closed(db, total, timeout=3600)
        await check("exchange_only", filed)
        results["exchange_only"] = {
            "peak_rss_mb": rss.peak_mb,
            "seconds": round(seconds, 2),
            "inventories_closed": total,
            "inventories_per_s": round(total / seconds, 1),
            "documents_per_s": round(4 * total / seconds, 1),
            "declaration_cpu_ms_per_set": round((service.cpu() - began_cpu) * 1000 / total, 2),
            "postgres_cpu_ms_per_set": round((postgres_cpu() - began_pg) * 1000 / total, 2),
        }
        print(json.dumps({"exchange_only": results["exchange_only"]}), flush=True)

        # 3. Both at once, through the gateway.
        with RssSampler(pids()) as rss:
            seconds, accepted = await file_all(gateway.url, during, args.connections, credential)
            lag = await wait_closed(db, total + args.sets, timeout=3600)
        filed += args.sets
        await check("both", filed)
        results["both"] = {
            "peak_rss_mb": rss.peak_mb,
            "intake_seconds": round(seconds, 2),
            "intake_sets_per_s": round(args.sets / seconds, 1),
            "last_closed_after_last_filing_s": round(lag, 2),
            "carried_per_s_over_the_whole": round(args.sets / (seconds + lag), 1),
        }
        print(json.dumps({"both": results["both"]}), flush=True)
        results["totals"] = await totals(db)
    finally:
        await db.dispose()
    print("measuring the bare decode again …", flush=True)
    bare_after = bare_decode_rate(inventory_body)
    bare = (bare_before + bare_after) / 2
    results["bare_decode"] = {"before": bare_before, "after": bare_after, "records_per_s": bare}
    for key, rate_key in (
        ("intake_direct", "sets_per_s"),
        ("intake_gateway", "sets_per_s"),
        ("exchange_only", "inventories_per_s"),
        ("both", "intake_sets_per_s"),
    ):
        results[key]["ratio_to_bare_decode"] = round(results[key][rate_key] / bare, 4)
    rate = results["exchange_only"]["inventories_per_s"]
    results["exchange_vs_intake_direct"] = round(rate / results["intake_direct"]["sets_per_s"], 3)
    results["exchange_vs_intake_gateway"] = round(rate / results["intake_gateway"]["sets_per_s"], 3)
    return results


# --- report -----------------------------------------------------------------------------------------


def markdown(results: dict[str, Any], command: str) -> str:
    direct, gateway, drain, both, totals_ = (
        results["intake_direct"],
        results["intake_gateway"],
        results["exchange_only"],
        results["both"],
        results["totals"],
    )
    ratio_direct, ratio_gateway = results["exchange_vs_intake_direct"], results["exchange_vs_intake_gateway"]
    load = results["load_at_start"]

    def verdict(ratio: float) -> str:
        return "met" if ratio >= 0.8 else "missed"

    def row(*cells: object) -> str:
        return "| " + " | ".join(str(cell) for cell in cells) + " |"

    gateway_cpu = f"{gateway['declaration_cpu_ms_per_set']} (gateway {gateway['gateway_cpu_ms_per_set']})"
    bare = results["bare_decode"]

    def rss(x: dict[str, Any]) -> str:
        return f"{x['peak_rss_mb']['declaration']:.0f} / {x['peak_rss_mb']['gateway']:.0f}"

    table = "\n".join(
        [
            row("measurement", "sets (inventories)", "seconds", "inventories/s", "÷ bare decode",
                "declaration CPU ms/set", "PostgreSQL CPU ms/set", "peak RSS MB declaration / gateway"),
            "|---|---|---|---|---|---|---|---|",
            row("intake only, direct (exchange off)", results["sets"], direct["seconds"],
                f"**{direct['sets_per_s']}**", f"{direct['ratio_to_bare_decode']:.3f}",
                direct["declaration_cpu_ms_per_set"], direct["postgres_cpu_ms_per_set"], rss(direct)),
            row("intake only, through the gateway (exchange off)", results["sets"], gateway["seconds"],
                f"**{gateway['sets_per_s']}**", f"{gateway['ratio_to_bare_decode']:.3f}", gateway_cpu,
                gateway["postgres_cpu_ms_per_set"], rss(gateway)),
            row("exchange only: acceptance → 899, the backlog drained", drain["inventories_closed"],
                drain["seconds"], f"**{drain['inventories_per_s']}**", f"{drain['ratio_to_bare_decode']:.3f}",
                drain["declaration_cpu_ms_per_set"], drain["postgres_cpu_ms_per_set"], rss(drain)),
            row("intake + exchange: filed through the gateway while the exchange runs", results["sets"],
                both["intake_seconds"], f"{both['intake_sets_per_s']} filed",
                f"{both['ratio_to_bare_decode']:.3f}", "—", "—", rss(both)),
        ]
    )  # fmt: skip
    histograms = "\n".join(
        [
            row("after", "inventories filed", "inventories by document status / customs state", "check"),
            "|---|---|---|---|",
            *(
                row(phase, f"{h['filed']:,}", ", ".join(f"{k} {n:,}" for k, n in h["by_status"].items()),
                    "all accounted for" if h["accounted"] else "**MISSING inventories**")
                for phase, h in results["histograms"].items()
            ),
        ]
    )  # fmt: skip

    return f"""{SECTION}

Command: `{command}`

Setup: 2 cores shared by everything — PostgreSQL, Redis, the tansu broker, the gateway and the
declaration service (one `python -m services.<name> serve` process each; the declaration process
runs the intake, the exchange loop, the embedded simulator and the outbox relay) and the load
generator ({results["connections"]} keep-alive connections). Import 1210 sets — order, payment,
waybill, inventory, 100 records per message (JSON), each set its own buyer. The simulator answers
at once on the straight path (inventory 2, 3, 120, 399, 800 with its CEB816 tax bill, 899; partners
2, 120, 399): 16 receipts per set, delivered up to 100 records per receipt message, each parsed
(hardened parser, envelope and CEB XSDs), applied through the lifecycle, kept, and published as an
event (20 status events per set with the four `sent`). The intake is measured twice: calling the
declaration service directly with the internal identity tokens the gateway would add, and through
the gateway with DDT1-HMAC-SHA256-signed requests (`sdk.signing`) of a party provisioned with the
gateway's admin CLI. Load average at the start {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}.

{table}

Baseline, in the same run: the bare decode of the same 100-record inventory message (`json.loads` +
`message_from_json`, one process) at **{bare["records_per_s"]:,.0f} records/s** ({bare["before"]:,.0f}
before the phases, {bare["after"]:,.0f} after); the ÷ column divides each rate by it.

Inventories by status after each phase (the histogram must account for every inventory filed):

{histograms}

Exchange ÷ intake: **{ratio_gateway:.0%} of the intake through the gateway** (target ≥ 80 %:
{verdict(ratio_gateway)}), **{ratio_direct:.0%} of the direct intake** ({verdict(ratio_direct)}).
With both at once, the last inventory closed {both["last_closed_after_last_filing_s"]} s after the
last filing ({both["carried_per_s_over_the_whole"]} inventories/s carried over the whole stretch).

After the run: {totals_["documents"]:,} documents, {totals_["outbound_messages"]:,} messages sent,
{totals_["receipt_messages"]:,} receipt messages ({totals_["receipt_entries"]:,} receipt records
applied), {totals_["status_changes"]:,} status changes, {totals_["events"]:,} events;
{totals_["unresolved_receipts"]} receipts not applied.

{ANALYSIS}
"""


ANALYSIS = """**Where the time goes.** The exchange loop is one task in the declaration process and is
CPU-bound there; per import set (four documents, 16 receipts, 20 status events), from phase timers
around the loop and cProfile of a 1,000-set drain in process (`--sets`-sized runs move ±10 %):

* *applying receipts* ≈ 4 ms: staging ~16 `DocumentStatusChanged` events (facts, payload, CloudEvents
  envelope, JSON, outbox INSERT) ≈ 1.8 ms, the history and receipt-entry rows ≈ 0.7 ms, parsing the
  receipt messages (hardened parser, envelope XSD, CEB XSD, typed model) ≈ 0.7 ms, the lifecycle
  itself ≈ 0.3 ms, loading states and histories ≈ 0.35 ms;
* *staging* ≈ 2.4 ms: regenerating the CEB XML from the stored records, signing (RSA-SHA1), the XSD
  check and the DxpMsgSv envelope ≈ 0.9 ms; the transaction that claims the documents, stores the
  sealed bytes and writes four `sent` changes with their events ≈ 1.4 ms;
* *the simulator* ≈ 1.9 ms: customs' own work on each message (XSD, business rules, its three-document
  match, tax and quota, receipts) ≈ 1.5 ms, rendering the receipt messages ≈ 0.4 ms;
* the outbox relay, publishing about three times the intake's events, runs beside it in the same
  process.

Intake, by contrast, spends about 3.2 ms per set (four documents accepted, seven events). The
exchange costs two and a half times that per set and publishes three times the events, so on
one process it reaches roughly a third to two-fifths of the intake rate — the 80 % target is
**missed** on this machine. The rate also falls as the backlog grows (about 120 sets/s for a
500-set drain, 95/s for 4,200): PostgreSQL's CPU per set rises from 2.9 to 3.6 ms with the
tables.

*Done already* (each measured): the simulator kept every receipt in a list it re-sorted, rebuilt
and rendered on every call and scanned every document on each match, acknowledgement and arrival
(quadratic: 35 sets/s at first) — now runtime indexes, delivery of only what is asked for and up to
100 receipt records per message (receipts also parsed once per message); its state is rebuilt from
the database instead of being written after each change; receipts found by a number (CEB816 by
invtNo) are applied after those that teach it, instead of waiting for a retry pass; records are
written back to XML from their stored text forms without re-typing; one facts object per document
per batch; multi-row statements throughout (tax bills included); customs times parsed by slicing
instead of strptime; snapshots of the simulator serialised in a thread, every 10,000 documents.
35 → 95–120 sets/s.

*Next steps, not done*: run the embedded simulator in a worker process of its own (it is customs,
not the platform: ~1.9 ms/set would move to the other core); a second exchange worker (the send
order must stay serial for the simulator's replay, but receipt application could be sharded by
document); cheaper event staging in the shared outbox (one JSON serialisation instead of three
passes through pydantic per event); fewer, coarser events for the e-port's intermediate statuses
(2, 3) if the consumers agree."""


def write_docs(section: str) -> None:
    text_ = DOCS.read_text("utf-8")
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if not pattern.search(text_):
        raise SystemExit(f"{SECTION} not found in {DOCS}")
    DOCS.write_text(pattern.sub(lambda _: section.rstrip() + "\n\n", text_, count=1), "utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--sets", type=int, default=2000, help="import sets per measurement (multiple of 100)"
    )
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument(
        "--write-docs", action="store_true", help="replace the section in docs/performance.md"
    )
    args = parser.parse_args()
    results = run(args)
    print(json.dumps(results, indent=2))
    command = "python -m bench.declaration_exchange " + " ".join(sys.argv[1:])
    section = markdown(results, command.strip())
    print(section)
    print(f"machine: {platform.platform()}, {os.cpu_count()} cpus", flush=True)
    if args.write_docs:
        write_docs(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
