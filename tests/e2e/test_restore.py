"""Backup and restore on PostgreSQL (docs/operations.md "Backups and restore").

The stats service's database is dumped with ``pg_dump``, more events arrive, the database
is lost and restored from the dump with ``pg_restore``. Rewound to the dump's time
(``consumers rewind``), the service reads the events since again and catches up: every
event counted exactly once — the ones the dump already held are absorbed by its inbox.
Its outbox comes back with the dump, and the relay publishes what the dump held unsent.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer

from shared.messaging.kafka import ensure_topics
from shared.messaging.topics import all_topics, events_topic
from tests.e2e.test_stats_crash import TOTALS, group_caught_up, released
from tests.support.infra import (
    POSTGRES_URL,
    Broker,
    asyncpg_dsn,
    create_pg_database,
    drop_pg_database,
    free_port,
    wait_until,
)
from tests.support.services import REGULATOR, ROOT, ServiceProcess, identity_headers, platform_settings

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


async def publish(bootstrap: str, numbers: range) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for i in numbers:
            await producer.send(events_topic("declaration"), value=released(i), key=f"doc-{i}".encode())
        await producer.flush()
    finally:
        await producer.stop()


def pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} (PostgreSQL client) is needed for the restore runbook's test")
    return found


async def run(argv: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """A command, off the event loop."""
    return await asyncio.to_thread(
        subprocess.run, argv, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def libpq_url(url: str) -> str:
    return asyncpg_dsn(url)


async def test_a_database_restored_from_a_dump_catches_up_every_event_once(tmp_path: Path) -> None:
    broker = Broker(log_dir=tmp_path).start()
    url = await create_pg_database()
    try:
        await ensure_topics(platform_settings(broker.bootstrap), all_topics())
        port = free_port()
        env = {
            "DDT_ENVIRONMENT": "test",
            "DDT_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
            "DDT_KAFKA_SESSION_TIMEOUT_MS": "3000",
            "DDT_KAFKA_HEARTBEAT_INTERVAL_MS": "500",
            "DDT_STATS_DATABASE_URL": url,
        }
        stats = ServiceProcess("stats", port, env, tmp_path / "stats.log")

        async def counted() -> int:
            async with httpx.AsyncClient(base_url=stats.url, timeout=5) as client:
                try:
                    headers = identity_headers(REGULATOR, "stats", "GET", TOTALS)
                    response = await client.get(TOTALS, headers=headers)
                except httpx.HTTPError:
                    return -1
            rows = response.json().get("rows", []) if response.status_code == 200 else []
            return int(rows[0]["documents"]) if rows else 0

        stats.start()
        await publish(broker.bootstrap, range(0, 150))
        await wait_until(lambda: _equals(counted, 150), timeout=90, message="first 150 counted")
        stats.stop()
        # The backup: a custom-format dump, taken as the runbook says.
        dump = tmp_path / "stats.dump"
        dumped_at = dt.datetime.now(dt.UTC)
        assert (await run([pg_tool("pg_dump"), "-Fc", "-f", str(dump), libpq_url(url)])).returncode == 0
        await asyncio.sleep(1.0)  # broker timestamps after the dump are strictly later

        stats.start()
        await publish(broker.bootstrap, range(150, 300))
        await wait_until(lambda: _equals(counted, 300), timeout=90, message="300 counted")
        stats.stop()

        # The disaster: the database is gone. Restore it from the dump.
        name = url.rsplit("/", 1)[1]
        conn = await asyncpg.connect(asyncpg_dsn(POSTGRES_URL))
        try:
            await conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        restored = await run([pg_tool("pg_restore"), "--no-owner", "-d", libpq_url(url), str(dump)])
        assert restored.returncode == 0, restored.stderr
        # Rewind the consumer group to the dump's time (minus a margin: re-reading is harmless).
        rewind = await run(
            [sys.executable, "-m", "services.stats", "consumers", "rewind",
             "--to", (dumped_at - dt.timedelta(seconds=30)).isoformat()],
            env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        assert rewind.returncode == 0, rewind.stderr
        stats.start()
        await wait_until(lambda: group_caught_up(broker.bootstrap, "stats"), timeout=90, message="caught up")
        await wait_until(lambda: _equals(counted, 300), timeout=60, message="all 300 counted after restore")
        final = await counted()
        stats.stop()
    finally:
        broker.stop()
        await drop_pg_database(url)
    assert final == 300


async def _equals(counted, n: int) -> bool:  # type: ignore[no-untyped-def]
    return await counted() == n
