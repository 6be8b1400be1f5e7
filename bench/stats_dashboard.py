"""Benchmark of the statistics at a large city's scale, on PostgreSQL, beside DuckDB.

    .venv/bin/python bench/stats_dashboard.py [--facts 10000000] [--prev-facts 2000000]
                                              [--enterprises 20000] [--repeat 40] [--keep]

1. Creates its own PostgreSQL database (127.0.0.1:5432, user postgres; DDT_BENCH_POSTGRES_URL
   overrides), migrates it, and generates a year of facts (2026) plus a previous year (2025)
   with the demo generator (services/stats/demo_data) into one CSV file.
2. Loads PostgreSQL with COPY (a staging table, then INSERT … SELECT into stats_facts and
   stats_fact_chapters), builds every aggregate with the service's rebuild SQL, ANALYZE.
3. Times the dashboard's queries through the stats app (HTTP in process: routing, scoping,
   SQL, JSON), p50/p95 over --repeat calls each; and a reward run for every enterprise
   (POST /v1/stats/rewards/runs: snapshot from the aggregates, compute, store).
4. Beside each, the same question answered straight from the raw facts in DuckDB (the same
   CSV loaded into an in-memory DuckDB table), in the same run.
5. Drops the database (unless --keep) and prints a Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg  # noqa: E402
import duckdb  # noqa: E402
import httpx  # noqa: E402

from services.stats.aggregates.service import rebuild_aggregates  # noqa: E402
from services.stats.app import create_app  # noqa: E402
from services.stats.demo_data.generator import fact_rows, population  # noqa: E402
from services.stats.rewards import EXAMPLE_POLICY_PATH, Snapshot, compute, load_policy  # noqa: E402
from services.stats.settings import StatsSettings  # noqa: E402
from shared.db import Database  # noqa: E402
from shared.identity import IDENTITY_HEADER, Identity, IdentitySigner  # noqa: E402
from shared.migrations import upgrade_to_head  # noqa: E402
from shared.settings import DEV_IDENTITY_SEED, Environment, PlatformSettings  # noqa: E402

SERVER = os.environ.get("DDT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REGULATOR = Identity(party_id="bench-regulator", roles=["regulator"], credential_id="bench")
SIGNER = IdentitySigner(DEV_IDENTITY_SEED)
YEAR = "from=2026-01-01&to=2026-12-31"
FILTERED = YEAR + "&mode=9610&district=haizhou"

# The dashboard's calls for its default view (a year), then with the page's filters set.
DASHBOARD_QUERIES = [
    ("KPI totals", f"/v1/stats/totals?{YEAR}"),
    ("KPI active enterprises", f"/v1/stats/enterprises/active?granularity=year&{YEAR}"),
    ("volume by month and mode", f"/v1/stats/series?granularity=month&split=mode&{YEAR}"),
    ("by district", f"/v1/stats/rankings/districts?limit=50&{YEAR}"),
    ("by country (top 10)", f"/v1/stats/rankings/countries?limit=10&{YEAR}"),
    ("top 10 enterprises", f"/v1/stats/rankings/enterprises?limit=10&{YEAR}"),
    ("newly active by park", f"/v1/stats/enterprises/new?granularity=year&group_by=park&{YEAR}"),
    ("latest reward run", "/v1/stats/rewards/runs/latest?year=2026"),
    ("filtered: totals", f"/v1/stats/totals?{FILTERED}"),
    ("filtered: volume by month", f"/v1/stats/series?granularity=month&split=mode&{FILTERED}"),
    ("filtered: top 10 enterprises", f"/v1/stats/rankings/enterprises?limit=10&{FILTERED}"),
]
_Y = "day BETWEEN DATE '2026-01-01' AND DATE '2026-12-31'"
_F = _Y + " AND mode = '9610' AND district = 'haizhou'"
_SUM = "sum(value_fen) v FROM facts WHERE"
DUCKDB_QUERIES = {
    "KPI totals": f"SELECT count(*), sum(orders), sum(value_fen) FROM facts WHERE {_Y}",
    "KPI active enterprises": f"SELECT count(DISTINCT party_id) FROM facts WHERE {_Y}",
    "volume by month and mode": f"SELECT date_trunc('month', day) m, mode, {_SUM} {_Y} GROUP BY ALL",
    "by district": f"SELECT district, {_SUM} {_Y} GROUP BY 1 ORDER BY v DESC LIMIT 50",
    "by country (top 10)": f"SELECT country, {_SUM} {_Y} GROUP BY 1 ORDER BY v DESC LIMIT 10",
    "top 10 enterprises": f"SELECT party_id, {_SUM} {_Y} GROUP BY 1 ORDER BY v DESC LIMIT 10",
    "newly active by park": (
        "SELECT park, count(*) FROM (SELECT party_id, min(day) first, arg_min(park, day) park FROM facts "
        "GROUP BY 1) WHERE first BETWEEN DATE '2026-01-01' AND DATE '2026-12-31' GROUP BY 1"
    ),
    "filtered: totals": f"SELECT count(*), sum(orders), sum(value_fen) FROM facts WHERE {_F}",
    "filtered: volume by month": f"SELECT date_trunc('month', day), mode, {_SUM} {_F} GROUP BY ALL",
    "filtered: top 10 enterprises": f"SELECT party_id, {_SUM} {_F} GROUP BY 1 ORDER BY v DESC LIMIT 10",
}
COLUMNS = [
    "document_id",
    "party_id",
    "day",
    "mode",
    "direction",
    "country",
    "district",
    "park",
    "currency",
    "orders",
    "value_fen",
    "returned_fen",
    "value_orig_cents",
    "cny_rate",
    "chapter",
]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered) * 1000, p95 * 1000


def write_csv(path: Path, pop: Any, facts: int, prev_facts: int) -> int:
    rows = 0
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        for first, last, count, seed in (
            (dt.date(2025, 1, 1), dt.date(2025, 12, 31), prev_facts, 2025),
            (dt.date(2026, 1, 1), dt.date(2026, 12, 31), facts, 2026),
        ):
            for row in fact_rows(pop, first, last, count, seed=seed):
                writer.writerow(row)
                rows += 1
    return rows


LOAD_SQL = """
INSERT INTO stats_facts (document_id, party_id, message_type, status, counted, counted_since, business_day,
    mode, direction, country, district, park, currency, documents, orders, value_fen, returned_fen,
    value_orig_cents, cny_rate, rate_month, rate_source, updated_at)
SELECT document_id, party_id, CASE WHEN direction = 'export' THEN 'CEB603' ELSE 'CEB621' END, 'released',
    true,
    (day + time '10:00') AT TIME ZONE 'Asia/Shanghai', day, mode, direction, coalesce(country, ''),
    coalesce(district, ''), coalesce(park, ''), currency, 1,
    orders, value_fen, returned_fen, value_orig_cents, cny_rate, to_char(day, 'YYYY-MM'),
    CASE WHEN currency = '142' THEN 'cny' ELSE 'table' END, now()
FROM bench_raw;
INSERT INTO stats_fact_chapters (document_id, chapter, value_fen, lines)
SELECT document_id, chapter, value_fen, 1 FROM bench_raw;
"""


async def load_postgres(url: str, csv_path: Path, pop: Any) -> dict[str, float]:
    timings: dict[str, float] = {}
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute("""CREATE UNLOGGED TABLE bench_raw (document_id text, party_id text, day date,
            mode text, direction text, country text, district text, park text, currency text, orders int,
            value_fen bigint, returned_fen bigint, value_orig_cents bigint, cny_rate numeric,
            chapter text)""")
        started = time.perf_counter()
        await conn.copy_to_table("bench_raw", source=str(csv_path), format="csv")
        timings["COPY into staging"] = time.perf_counter() - started
        indexes = await conn.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'stats_facts' "
            "AND indexname NOT LIKE 'pk_%'"
        )
        for index in indexes:
            await conn.execute(f'DROP INDEX "{index["indexname"]}"')
        started = time.perf_counter()
        await conn.execute(LOAD_SQL)
        for index in indexes:
            await conn.execute(index["indexdef"])
        await conn.execute("DROP TABLE bench_raw")
        timings["facts and chapters (INSERT … SELECT, indexes)"] = time.perf_counter() - started
        await conn.copy_records_to_table(
            "stats_parties",
            records=[
                (
                    p.party_id,
                    p.name,
                    p.uscc,
                    None,
                    f'["{p.roles[0]}"]',
                    p.district,
                    p.park,
                    "active",
                    p.registered_at,
                    p.registered_at.date(),
                    None,
                )
                for p in pop.parties
            ],
            columns=[
                "party_id",
                "name",
                "uscc",
                "customs_code",
                "roles",
                "district",
                "park",
                "status",
                "registered_at",
                "registered_day",
                "status_at",
            ],
        )
    finally:
        await conn.close()
    db = Database(url)
    try:
        started = time.perf_counter()
        async with db.transaction() as session:
            await rebuild_aggregates(session)
        timings["aggregates and first activity (rebuild SQL)"] = time.perf_counter() - started
        async with db.engine.connect() as conn2:
            await conn2.exec_driver_sql("COMMIT")
            await conn2.exec_driver_sql("ANALYZE")
    finally:
        await db.dispose()
    return timings


async def timed(call: Callable[[], Awaitable[Any]], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - started)
    return samples


def duckdb_timings(
    csv_path: Path, repeat: int
) -> tuple[float, dict[str, tuple[float, float]], duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    started = time.perf_counter()
    types = {
        "document_id": "VARCHAR",
        "party_id": "VARCHAR",
        "day": "DATE",
        "mode": "VARCHAR",
        "direction": "VARCHAR",
        "country": "VARCHAR",
        "district": "VARCHAR",
        "park": "VARCHAR",
        "currency": "VARCHAR",
        "orders": "INTEGER",
        "value_fen": "BIGINT",
        "returned_fen": "BIGINT",
        "value_orig_cents": "BIGINT",
        "cny_rate": "DECIMAL(18,5)",
        "chapter": "VARCHAR",
    }
    con.execute(
        f"CREATE TABLE facts AS SELECT * FROM read_csv('{csv_path}', header=false, columns={types!r})"
    )
    load = time.perf_counter() - started
    results = {}
    for name, sql in DUCKDB_QUERIES.items():
        con.execute(sql).fetchall()
        samples = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            con.execute(sql).fetchall()
            samples.append(time.perf_counter() - t0)
        results[name] = percentiles(samples)
    return load, results, con


def duckdb_reward_run(con: duckdb.DuckDBPyConnection, pop: Any) -> tuple[float, Decimal]:
    """The reward run's inputs straight from the raw facts, then the same computation."""
    started = time.perf_counter()
    figures = con.execute("""
        SELECT party_id,
               sum(CASE WHEN year(day) = 2026 THEN value_fen ELSE 0 END),
               sum(CASE WHEN year(day) = 2025 THEN value_fen ELSE 0 END),
               sum(CASE WHEN year(day) = 2026 THEN orders ELSE 0 END),
               sum(CASE WHEN year(day) = 2025 THEN orders ELSE 0 END),
               min(day)
        FROM facts GROUP BY party_id""").fetchall()
    parties = {p.party_id: p for p in pop.parties}
    enterprises = []
    for party_id, value, value_prev, orders, orders_prev, first in figures:
        party = parties[party_id]
        row: dict[str, Any] = {
            "party_id": party_id,
            "name": party.name,
            "uscc": party.uscc,
            "district": party.district,
            "transaction_value": str(Decimal(int(value)) / 100),
            "transaction_value_prev": str(Decimal(int(value_prev)) / 100),
            "order_count": int(orders),
            "order_count_prev": int(orders_prev),
            "flags": {
                "counted_in_platform_statistics": value > 0,
                "registered_locally": True,
                "first_year_cbec": first.year == 2026,
                "first_application": value_prev == 0,
            },
        }
        if party.park:
            row["incubator_id" if "incubator" in party.park else "park_id"] = party.park
        enterprises.append(row)
    snapshot = Snapshot.model_validate(
        {
            "snapshot_id": "duckdb",
            "year": 2026,
            "taken_at": dt.datetime.now(dt.UTC).isoformat(),
            "source": "duckdb",
            "enterprises": enterprises,
            "parks": [],
        }
    )
    result = compute(load_policy(EXAMPLE_POLICY_PATH), snapshot)
    return time.perf_counter() - started, result.total


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--facts", type=int, default=10_000_000)
    parser.add_argument("--prev-facts", type=int, default=2_000_000)
    parser.add_argument("--enterprises", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    name = f"ddt_bench_stats_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(SERVER)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = SERVER.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + "/" + name
    workdir = Path(tempfile.mkdtemp(prefix="ddt-bench-"))
    csv_path = workdir / "facts.csv"
    try:
        db = Database(url)
        await upgrade_to_head(db, "stats")
        await db.dispose()
        pop = population(args.enterprises)
        log(f"generating {args.facts:,} facts for 2026 and {args.prev_facts:,} for 2025")
        started = time.perf_counter()
        rows = write_csv(csv_path, pop, args.facts, args.prev_facts)
        log(f"{rows:,} counted facts written in {time.perf_counter() - started:.0f} s")
        load = await load_postgres(url, csv_path, pop)
        for step, seconds in load.items():
            log(f"PostgreSQL {step}: {seconds:.1f} s")

        settings = StatsSettings(
            database_url=url,
            platform=PlatformSettings(environment=Environment.TEST, kafka_bootstrap_servers="127.0.0.1:9"),
            db_pool_size=4,
        )
        app = create_app(settings)
        from asgi_lifespan import LifespanManager

        async with (
            LifespanManager(app, startup_timeout=120),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=600
            ) as client,
        ):

            def call(method: str, target: str, **kwargs: Any) -> Awaitable[httpx.Response]:
                request = client.build_request(method, target, **kwargs)
                wire = request.url.raw_path.decode("ascii")  # the token binds path and query
                request.headers[IDENTITY_HEADER] = SIGNER.mint(
                    REGULATOR, audience="ddt-stats", method=method, path=wire
                )
                return client.send(request)

            log("reward run for every enterprise (snapshot from aggregates, compute, store)")
            started = time.perf_counter()
            run = await call(
                "POST", "/v1/stats/rewards/runs", json={"policy": "lyg-cbec-rewards-2026-example"}
            )
            run_seconds = time.perf_counter() - started
            assert run.status_code == 201, run.text
            run_body = run.json()
            log(f"run: {run_seconds:.2f} s, {run_body['subjects']} subjects, total {run_body['total']}")

            pg: dict[str, tuple[float, float]] = {}
            for label, target in DASHBOARD_QUERIES:
                first = await call("GET", target)
                assert first.status_code == 200, (target, first.text)
                pg[label] = percentiles(await timed(lambda t=target: call("GET", t), args.repeat))
                log(f"{label}: p50 {pg[label][0]:.1f} ms, p95 {pg[label][1]:.1f} ms")

        log("DuckDB: loading the same CSV and answering from the raw facts")
        duck_load, duck, con = duckdb_timings(csv_path, max(5, args.repeat // 4))
        duck_run, duck_total = duckdb_reward_run(con, pop)
        con.close()

        print()
        print(
            f"Facts: {rows:,} counted (2026: ~{args.facts:,} generated, 2025: ~{args.prev_facts:,}), "
            f"{args.enterprises:,} enterprises; DuckDB {duckdb.__version__} load {duck_load:.1f} s"
        )
        for step, seconds in load.items():
            print(f"- PostgreSQL {step}: {seconds:.1f} s")
        print()
        print("| dashboard query | PostgreSQL aggregates p50 / p95 (ms) | DuckDB raw facts p50 / p95 (ms) |")
        print("|---|---|---|")
        for label, _target in DASHBOARD_QUERIES:
            p50, p95 = pg[label]
            d = duck.get(label)
            print(
                f"| {label} | {p50:.1f} / {p95:.1f} | "
                + (f"{d[0]:.1f} / {d[1]:.1f} |" if d else "n/a (a stored row) |")
            )
        print()
        print(
            f"| reward run, {run_body['subjects']:,} subjects | PostgreSQL: {run_seconds:.2f} s (snapshot "
            f"from aggregates + compute + store) | DuckDB: {duck_run:.2f} s (inputs from raw facts + "
            "compute, not stored) |"
        )
        print(f"| total paid | {run_body['total']} | {duck_total} |")
    finally:
        csv_path.unlink(missing_ok=True)
        if not args.keep:
            admin = await asyncpg.connect(SERVER)
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()
        else:
            print(f"kept database {name}")


if __name__ == "__main__":
    asyncio.run(main())
