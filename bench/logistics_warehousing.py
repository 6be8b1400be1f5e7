"""Benchmark of overseas-warehouse stock on PostgreSQL: reservations on one hot SKU, and the
stock query over a ledger of a million movements.

    .venv/bin/python bench/logistics_warehousing.py [--orders 6000] [--stock 5000] [--workers 16]
                                                    [--movements 1000000] [--queries 2000] [--keep]

1. Creates its own PostgreSQL database (127.0.0.1:5432, user postgres; DDT_BENCH_POSTGRES_URL
   overrides) and migrates it; one warehouse operator, one merchant, warehouses and SKUs.
2. **Reservations.** ``--orders`` B2C orders, each placed by ``outbound.service.create`` in its
   own transaction (order, line, the guarded reservation of the hot position, its ledger row,
   the webhook event in the outbox: everything a request does below HTTP), by ``--workers``
   concurrent tasks on one SKU holding ``--stock`` units — more orders than units, so the
   last ones must find it sold out. Checked after: exactly ``--stock`` orders reserved, the
   position's committed equals their units, nothing negative, one ledger row each.
   Baselines in the same run: the same orders spread over one SKU per worker (no hot row),
   and the bare guarded ``UPDATE … RETURNING`` of the hot row, one per transaction.
3. **Stock query.** The ledger is filled to ``--movements`` rows (COPY; positions and lots to
   match: the queried SKU in 20 warehouses with 12 lots each, 2,000 other SKUs), ANALYZE, then
   ``GET /v1/logistics/stock/products/{id}`` (positions, lots, ageing buckets; identity
   checked, JSON) is timed ``--queries`` times through the app in process, p50/p95/p99.
   Baseline in the same run: the same query before the ledger was filled.
4. Drops the database (unless --keep) and prints a Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg  # noqa: E402
import httpx  # noqa: E402
from asgi_lifespan import LifespanManager  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bench.scratch_db import SERVER, create_database, drop_database, sqlalchemy_url  # noqa: E402
from services.logistics.app import create_app  # noqa: E402
from services.logistics.base import table_of  # noqa: E402
from services.logistics.outbound import service as outbound  # noqa: E402
from services.logistics.outbound.intake import OrderIntake  # noqa: E402
from services.logistics.outbound.schemas import OrderIn  # noqa: E402
from services.logistics.products import service as products  # noqa: E402
from services.logistics.products.schemas import ProductIn  # noqa: E402
from services.logistics.settings import DEV_VAULT_HASH_KEY, DEV_VAULT_KEYS, LogisticsSettings  # noqa: E402
from services.logistics.stock import service as stock  # noqa: E402
from services.logistics.stock.models import StockMovement  # noqa: E402
from services.logistics.stock.rules import MovementKind  # noqa: E402
from services.logistics.warehouses import service as warehouses  # noqa: E402
from services.logistics.warehouses.schemas import WarehouseIn  # noqa: E402
from shared.db import Database  # noqa: E402
from shared.identity import IDENTITY_HEADER, Identity, IdentitySigner  # noqa: E402
from shared.messaging.outbox import EventPublisher  # noqa: E402
from shared.migrations import upgrade_to_head  # noqa: E402
from shared.settings import DEV_IDENTITY_SEED, Environment, PlatformSettings  # noqa: E402
from shared.sqltypes import utcnow  # noqa: E402
from shared.vault import Vault  # noqa: E402

OPERATOR = Identity(party_id="bench-operator", roles=["overseas_warehouse_operator"])
MERCHANT = Identity(party_id="bench-merchant", roles=["ecommerce_enterprise"])
SIGNER = IdentitySigner(DEV_IDENTITY_SEED)
PUBLISHER = EventPublisher("logistics")
VAULT = Vault.from_text(DEV_VAULT_KEYS, "dev", DEV_VAULT_HASH_KEY)


def _warehouse(code: str) -> WarehouseIn:
    return WarehouseIn.model_validate(
        {
            "code": code,
            "name": f"Bench {code}",
            "country": "DE",
            "city": "Frankfurt am Main",
            "address": "Cargo City Süd",
            "area_m2": "10000",
            "opened_on": "2022-01-01",
            "usage": "public",
            "has_api": True,
        }
    )


def _product(sku: str) -> ProductIn:
    return ProductIn.model_validate(
        {
            "sku": sku,
            "name_zh": "水晶手链",
            "name_en": "Crystal bracelet",
            "hs_code": "7116100000",
            "declared_value": "12.50",
            "currency": "USD",
            "origin_country": "CN",
            "battery": "none",
            "weight_g": 60,
            "length_mm": 120,
            "width_mm": 80,
            "height_mm": 30,
        }
    )


async def _put_away(
    db: Database, warehouse_id: str, product_id: str, units: int, lot_no: str, day: dt.date
) -> None:
    async with db.transaction() as session:
        lot = await stock.lot_for_receipt(
            session,
            warehouse_id=warehouse_id,
            product_id=product_id,
            owner_party_id=MERCHANT.party_id,
            lot_no=lot_no,
            received_on=day,
            origin="inbound",
            source_id=None,
        )
        await stock.record(
            session,
            stock.MovementRequest(
                warehouse_id=warehouse_id,
                product_id=product_id,
                owner_party_id=MERCHANT.party_id,
                kind=MovementKind.RECEIVE,
                quantity=units,
                reason="putaway",
                movement_key=f"bench:{lot_no}:{uuid.uuid4().hex}",
                reference_kind="bench",
                actor_party_id=OPERATOR.party_id,
                occurred_at=utcnow(),
                lot_id=lot.id,
            ),
        )


def _order(warehouse_id: str, sku: str, i: int) -> OrderIn:
    return OrderIn.model_validate(
        {
            "reference": f"B-{sku}-{i}",
            "warehouse_id": warehouse_id,
            "kind": "b2c",
            "lines": [{"sku": sku, "quantity": 1}],
            "ship_to": {
                "name": "Anna Schmidt",
                "address_lines": ["Kaiserstraße 1"],
                "city": "Frankfurt am Main",
                "postal_code": "60311",
                "country": "DE",
            },
        }
    )


async def _run_orders(
    db: Database, orders: list[OrderIn], workers: int, intake: OrderIntake | None
) -> tuple[float, int]:
    """Place the orders from ``workers`` concurrent clients; (seconds, how many were reserved).

    With ``intake`` each client does what the route does (checks in a short transaction, then
    the intake); without, each order is its own transaction (``outbound.service.create``).
    """
    queue: asyncio.Queue[OrderIn] = asyncio.Queue()
    for order in orders:
        queue.put_nowait(order)
    reserved = 0

    async def worker() -> None:
        nonlocal reserved
        while True:
            try:
                data = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            if intake is None:
                async with db.transaction() as session:
                    order, _created = await outbound.create(session, PUBLISHER, VAULT, MERCHANT, data)
            else:
                async with db.transaction() as session:
                    prepared = await outbound.prepare(session, VAULT, MERCHANT, data)
                result = await intake.submit(prepared)
                assert not isinstance(result, Exception), result
                order, _created = result
            reserved += order.status == "reserved"

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return time.perf_counter() - started, reserved


async def _bare_updates(db: Database, warehouse_id: str, product_id: str, count: int, workers: int) -> float:
    """The guarded reservation UPDATE alone, one per transaction, on the hot row."""
    remaining = count

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            async with db.transaction() as session:
                await session.execute(
                    text(
                        "UPDATE logistics_stock_positions SET committed = committed + 1 "
                        "WHERE warehouse_id = :w AND product_id = :p "
                        "AND on_hand - committed - unavailable >= 1 "
                        "RETURNING on_hand"
                    ),
                    {"w": warehouse_id, "p": product_id},
                )

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return time.perf_counter() - started


async def _check(db: Database, warehouse_id: str, product_id: str, expected: int) -> None:
    async with db.transaction() as session:
        row = (
            await session.execute(
                text(
                    "SELECT on_hand, committed, unavailable FROM logistics_stock_positions "
                    "WHERE warehouse_id = :w AND product_id = :p"
                ),
                {"w": warehouse_id, "p": product_id},
            )
        ).one()
        ledger = await session.scalar(
            text("SELECT count(*) FROM logistics_stock_movements WHERE product_id = :p AND kind = 'reserve'"),
            {"p": product_id},
        )
    on_hand, committed, unavailable = row
    assert committed == expected == ledger, (committed, expected, ledger)
    assert on_hand - committed - unavailable >= 0, row
    print(f"  checked: committed {committed} of {on_hand} on hand, {ledger} reserve rows, nothing oversold")


async def _fill_ledger(pg_name: str, target: int, hot_product: str, warehouse_ids: list[str]) -> None:
    """COPY movements (and lots/positions to match) until the ledger holds ``target`` rows."""
    conn = await asyncpg.connect(SERVER.rsplit("/", 1)[0] + "/" + pg_name)
    try:
        have = await conn.fetchval("SELECT count(*) FROM logistics_stock_movements")
        now = dt.datetime.now(dt.UTC)
        today = now.date()
        lots, positions = [], []
        for w in warehouse_ids:  # the queried SKU: 12 lots in each warehouse, of every age
            total = 0
            for n in range(12):
                received = today - dt.timedelta(days=n * 37)
                lots.append(
                    (
                        f"lot_hot_{w}_{n}",
                        w,
                        hot_product,
                        MERCHANT.party_id,
                        f"H{n}",
                        received,
                        "inbound",
                        None,
                        50,
                        0,
                        0,
                        now,
                        now,
                    )
                )
                total += 50
            positions.append((w, hot_product, MERCHANT.party_id, total, 0, 0, now))
        others = [f"sku_other_{i:05d}" for i in range(2000)]
        for i, product in enumerate(others):
            w = warehouse_ids[i % len(warehouse_ids)]
            lots.append(
                (
                    f"lot_o_{i}",
                    w,
                    product,
                    MERCHANT.party_id,
                    "O1",
                    today - dt.timedelta(days=i % 400),
                    "inbound",
                    None,
                    100,
                    0,
                    0,
                    now,
                    now,
                )
            )
            positions.append((w, product, MERCHANT.party_id, 100, 0, 0, now))
        await conn.copy_records_to_table(
            "logistics_stock_lots",
            records=lots,
            columns=[
                "id",
                "warehouse_id",
                "product_id",
                "owner_party_id",
                "lot_no",
                "received_on",
                "origin",
                "source_id",
                "on_hand",
                "committed",
                "unavailable",
                "created_at",
                "updated_at",
            ],
        )
        await conn.copy_records_to_table(
            "logistics_stock_positions",
            records=[p for p in positions if p[1] != hot_product or p[0] not in warehouse_ids[:1]],
            columns=[
                "warehouse_id",
                "product_id",
                "owner_party_id",
                "on_hand",
                "committed",
                "unavailable",
                "updated_at",
            ],
        )
        columns = [c.name for c in table_of(StockMovement).columns if c.name != "seq"]
        batch, made = 100_000, have
        while made < target:
            rows = []
            for j in range(min(batch, target - made)):
                k = made + j
                product = hot_product if k % 50 == 0 else others[k % len(others)]
                w = warehouse_ids[k % len(warehouse_ids)]
                kind = ("receive", "reserve", "allocate", "ship")[k % 4]
                rows.append((w, f"fill:{k}", product, MERCHANT.party_id, None, kind, "bench", 1, 0, 0, 0, 0,
                             100, 0, 0, "bench", None, OPERATOR.party_id, "0" * 64,
                             now - dt.timedelta(minutes=k % 500_000), now))  # fmt: skip
            await conn.copy_records_to_table("logistics_stock_movements", records=rows, columns=columns)
            made += len(rows)
        await conn.execute("ANALYZE")
        print(f"  ledger: {made:,} movements, {len(lots):,} lots, {len(positions):,} positions")
    finally:
        await conn.close()


async def _time_queries(app: Any, path: str, count: int) -> list[float]:
    transport = httpx.ASGITransport(app=app)
    times: list[float] = []
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for i in range(count + 20):
            token = SIGNER.mint(MERCHANT, audience="ddt-logistics", method="GET", path=path)
            started = time.perf_counter()
            response = await client.get(path, headers={IDENTITY_HEADER: token})
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, response.text
            if i >= 20:  # warm-up
                times.append(elapsed * 1000)
    return times


def _pcts(times: list[float]) -> tuple[float, float, float]:
    q = statistics.quantiles(times, n=100)
    return statistics.median(times), q[94], q[98]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=6000)
    parser.add_argument("--stock", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--movements", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    name = await create_database("ddt_bench_wh")
    db = Database(sqlalchemy_url(name), pool_size=args.workers, pre_ping=False)
    rows: list[tuple[str, str, str]] = []
    try:
        await upgrade_to_head(db, "logistics")
        async with db.transaction() as session:
            hot_wh = await warehouses.register(session, PUBLISHER, OPERATOR, _warehouse("HOT"))
            extra = [
                await warehouses.register(session, PUBLISHER, OPERATOR, _warehouse(f"W{i:02d}"))
                for i in range(19)
            ]
            hot = await products.create(session, MERCHANT, _product("HOT-SKU"))
            spread = [
                await products.create(session, MERCHANT, _product(f"SPREAD-{i}")) for i in range(args.workers)
            ]
        await _put_away(db, hot_wh.id, hot.id, args.stock, "LOT-HOT", dt.date.today())
        per_worker = args.orders // args.workers + 1
        for p in spread:
            await _put_away(db, hot_wh.id, p.id, per_worker, f"LOT-{p.sku}", dt.date.today())

        print(f"Reservations: {args.orders} orders, {args.workers} clients, {args.stock} units of one SKU")
        intake = OrderIntake(db, PUBLISHER)
        stop = asyncio.Event()
        loop = asyncio.create_task(intake.run(stop))
        orders = [_order(hot_wh.id, "HOT-SKU", i) for i in range(args.orders)]
        seconds, reserved = await _run_orders(db, orders, args.workers, intake)
        assert reserved == min(args.orders, args.stock), reserved
        await _check(db, hot_wh.id, hot.id, reserved)
        rows.append(
            (
                "orders placed through the intake, one hot SKU (target ≥ 500/s)",
                f"{args.orders / seconds:,.0f}/s",
                f"{seconds:.1f} s, {reserved} reserved, none oversold",
            )
        )
        stop.set()
        await loop

        spread_orders = [_order(hot_wh.id, spread[i % args.workers].sku, i) for i in range(args.orders)]
        seconds, _ = await _run_orders(db, spread_orders, args.workers, None)
        rows.append(
            (
                "baseline: one transaction per order, one SKU per client (no hot row)",
                f"{args.orders / seconds:,.0f}/s",
                f"{seconds:.1f} s",
            )
        )
        async with db.transaction() as session:
            await session.execute(text("UPDATE logistics_stock_positions SET on_hand = on_hand + 1000000"))
        naive = [_order(hot_wh.id, "HOT-SKU", args.orders + i) for i in range(args.orders // 4)]
        seconds, _ = await _run_orders(db, naive, args.workers, None)
        rows.append(
            (
                "baseline: one transaction per order, one hot SKU",
                f"{len(naive) / seconds:,.0f}/s",
                f"{seconds:.1f} s",
            )
        )

        seconds = await _bare_updates(db, hot_wh.id, hot.id, args.orders, args.workers)
        rows.append(
            (
                "baseline: the bare guarded UPDATE of the hot row",
                f"{args.orders / seconds:,.0f}/s",
                f"{seconds:.1f} s",
            )
        )

        print(f"Stock query: {args.queries} × GET /v1/logistics/stock/products/{{id}}")
        settings = LogisticsSettings(
            database_url=sqlalchemy_url(name),
            platform=PlatformSettings(
                environment=Environment.TEST, kafka_bootstrap_servers="127.0.0.1:1", gc_freeze_on_start=False
            ),
        )
        app = create_app(settings)
        path = f"/v1/logistics/stock/products/{hot.id}"
        async with LifespanManager(app):
            p50, p95, p99 = _pcts(await _time_queries(app, path, args.queries))
            rows.append(
                (
                    "baseline: stock query, ledger of a few thousand rows",
                    f"p99 {p99:.1f} ms",
                    f"p50 {p50:.1f} / p95 {p95:.1f} ms",
                )
            )
            await _fill_ledger(name, args.movements, hot.id, [hot_wh.id] + [w.id for w in extra])
            p50, p95, p99 = _pcts(await _time_queries(app, path, args.queries))
            what = f"stock query, {args.movements:,} movements, 20 warehouses × 12 lots (target p99 < 50 ms)"
            rows.append((what, f"p99 {p99:.1f} ms", f"p50 {p50:.1f} / p95 {p95:.1f} ms"))
    finally:
        await db.dispose()
        if not args.keep:
            await drop_database(name)
    print()
    print("| measurement | result | detail |")
    print("|---|---|---|")
    for what, result, detail in rows:
        print(f"| {what} | {result} | {detail} |")


if __name__ == "__main__":
    asyncio.run(main())
