"""kill -9 of the stats service in the middle of a stream of events, then a restart:
every event is counted exactly once.

The stream is what makes facts: customs releasing inventories (``status_changed`` to
``released``); the figures are read from the regulator's totals query."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from shared.events import build_event
from shared.events.declaration import DocumentFacts, DocumentStatusChanged
from shared.messaging.kafka import ensure_topics
from shared.messaging.topics import all_topics, events_topic
from tests.support.infra import Broker, create_pg_database, drop_pg_database, free_port, wait_until
from tests.support.services import REGULATOR, ServiceProcess, identity_headers, platform_settings

pytestmark = pytest.mark.slow

EVENTS = 600
DUPLICATE_EVERY = 7  # every 7th event is delivered twice, as a relay retry would
TOTALS = "/v1/stats/totals?from=2026-01-01&to=2026-12-31"


def released(i: int) -> bytes:
    facts = DocumentFacts(
        document_id=f"doc-{i}",
        document_kind="inventory",
        message_type="CEB621",
        party_id=f"party-{i % 5}",
        mode="1210",
        direction="import",
        business_no=f"ORDER-{i}",
        currency="142",
        value=Decimal("10.01"),
        value_cny=Decimal("10.01"),
        cny_rate=Decimal(1),
        country="142",
    )
    data = DocumentStatusChanged(
        document=facts,
        previous_status="examination_concluded",
        status="released",
        occurred_at=dt.datetime(2026, 11, 11, 12, tzinfo=dt.UTC),
    )
    event = build_event(data, source="/ddt/declaration", subject=facts.document_id, event_id=f"evt-{i}")
    return event.to_json_bytes()


async def produce_stream(bootstrap: str, halfway: asyncio.Event, pause_every: int = 10) -> None:
    """The stream; after half of it, it waits for ``halfway`` — so the kill surely falls mid-stream,
    however long the service takes to start consuming."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for i in range(EVENTS):
            if i == EVENTS // 2:
                await producer.flush()
                await halfway.wait()
            await producer.send(events_topic("declaration"), value=released(i), key=f"doc-{i}".encode())
            if i % DUPLICATE_EVERY == 0:
                await producer.send(events_topic("declaration"), value=released(i), key=f"doc-{i}".encode())
            if i % pause_every == 0:
                await producer.flush()
                await asyncio.sleep(0.05)
        await producer.flush()
    finally:
        await producer.stop()


async def group_caught_up(bootstrap: str, group: str) -> bool:
    """The group has committed offsets at the end of every partition of the topic."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    # A member of the group that never subscribes: it reads committed offsets without
    # joining, so the running consumer is not rebalanced.
    probe = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await probe.start()
    try:
        topic = events_topic("declaration")
        partitions = [TopicPartition(topic, p) for p in (probe.partitions_for_topic(topic) or set())]
        ends = await probe.end_offsets(partitions)
        for tp, end in ends.items():
            committed = await probe.committed(tp)
            if committed is None or committed < end:
                return False
        return bool(partitions)
    finally:
        await probe.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def stats_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'stats.db'}"
        return
    url = await create_pg_database()
    try:
        yield url
    finally:
        await drop_pg_database(url)


async def test_every_event_is_counted_once_across_a_kill_9(stats_database: str, tmp_path: Path) -> None:
    broker = Broker(log_dir=tmp_path).start()  # its own broker: nothing else publishes here
    try:
        await ensure_topics(platform_settings(broker.bootstrap), all_topics())
        port = free_port()
        env = {
            "DDT_ENVIRONMENT": "test",
            "DDT_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
            "DDT_KAFKA_SESSION_TIMEOUT_MS": "3000",
            "DDT_KAFKA_HEARTBEAT_INTERVAL_MS": "500",
            "DDT_STATS_DATABASE_URL": stats_database,
        }
        stats = ServiceProcess("stats", port, env, tmp_path / "stats.log").start()
        halfway = asyncio.Event()
        stream = asyncio.create_task(produce_stream(broker.bootstrap, halfway))
        async with httpx.AsyncClient(base_url=stats.url, timeout=5) as client:

            async def totals() -> dict[str, str] | None:
                headers = identity_headers(REGULATOR, "stats", "GET", TOTALS)
                response = await client.get(TOTALS, headers=headers)
                rows = response.json()["rows"] if response.status_code == 200 else []
                return rows[0] if rows else None

            async def counted() -> int:
                try:
                    row = await totals()
                    return int(row["documents"]) if row else 0
                except httpx.HTTPError:
                    return 0

            await wait_until(lambda: _at_least(counted, 50), timeout=60, message="stats started consuming")
            before_kill = await counted()
            stats.kill9()  # mid-stream: no shutdown code, uncommitted offsets, half-done batches
            stream_running_at_kill = not stream.done()
            halfway.set()  # the second half is published while the service is down, and after
            stats.start()
            await stream
            await wait_until(
                lambda: group_caught_up(broker.bootstrap, "stats"), timeout=90, message="caught up"
            )
            final = await counted()
            value = (await totals() or {})["value"]
        stats.stop()
        assert (stream_running_at_kill, before_kill < EVENTS, final, Decimal(value)) == (
            True,
            True,
            EVENTS,
            Decimal("10.01") * EVENTS,
        )
    finally:
        broker.stop()


async def _at_least(counted, n: int) -> bool:  # type: ignore[no-untyped-def]
    return await counted() >= n
