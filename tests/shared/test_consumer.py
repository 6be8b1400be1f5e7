"""Idempotent consumers and dead letters, against the real broker and both databases."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Iterable

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import Database
from shared.events import CloudEvent, EventData, build_event
from shared.kit.sql import insert_ignore
from shared.messaging.consumer import EventConsumer, EventHandlers, replay_dead_letter
from shared.messaging.kafka import ensure_topics
from shared.messaging.tables import dead_letters
from shared.messaging.topics import dead_letter_topic
from tests.shared.events_fixtures import CounterBumped, CounterBumpedV2
from tests.support.infra import Broker, wait_until
from tests.support.services import platform_settings

test_metadata = MetaData()
counters = Table(
    "test_counters",
    test_metadata,
    Column("name", String(50), primary_key=True),
    Column("total", Integer, nullable=False),
)


@pytest.fixture
async def db(messaging_db: Database) -> AsyncIterator[Database]:
    """The messaging database plus a counters table for the handlers' effects."""
    async with messaging_db.engine.begin() as conn:
        await conn.run_sync(test_metadata.create_all)
    yield messaging_db


class World:
    """Handlers whose effect is a counter, with a switch to make one counter fail."""

    def __init__(self) -> None:
        self.failing: set[str] = set()
        self.handlers = EventHandlers()
        self.handlers.on(CounterBumped)(self.bump)

    async def bump(self, session: AsyncSession, event: CloudEvent, data: CounterBumped) -> None:
        if data.counter in self.failing:
            raise RuntimeError(f"counter {data.counter} is broken")
        if not await insert_ignore(session, counters, {"name": data.counter, "total": data.amount}):
            await session.execute(
                update(counters)
                .where(counters.c.name == data.counter)
                .values(total=counters.c.total + data.amount)
            )


async def total(db: Database, name: str) -> int | None:
    async with db.transaction() as session:
        return await session.scalar(select(counters.c.total).where(counters.c.name == name))


async def send(bootstrap: str, topic: str, messages: Iterable[tuple[str, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for key, value in messages:
            await producer.send_and_wait(topic, value=value, key=key.encode())
    finally:
        await producer.stop()


def event(data: EventData, subject: str = "s") -> CloudEvent:
    return build_event(data, source="/ddt/test", subject=subject)


def new_consumer(
    db: Database, bootstrap: str, topic: str, world: World, group: str | None = None
) -> EventConsumer:
    return EventConsumer(
        service="test",
        name=group or f"g-{uuid.uuid4().hex[:8]}",
        db=db,
        platform=platform_settings(bootstrap),
        topics=[topic],
        handlers=world.handlers,
        max_attempts=2,
        retry_delays=(0.01,),
    )


async def run_until(consumer: EventConsumer, condition: Callable[[], object], timeout: float = 30) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        await wait_until(condition, timeout=timeout)  # type: ignore[arg-type]
    finally:
        stop.set()
        await task


async def topic(broker: Broker) -> str:
    name = f"test.consumer.{uuid.uuid4().hex[:8]}"
    await ensure_topics(
        platform_settings(broker.bootstrap),
        [
            name,
        ],
    )
    return name


async def parked(db: Database, consumer: str) -> list[dict[str, object]]:
    async with db.transaction() as session:
        rows = await session.execute(select(dead_letters).where(dead_letters.c.consumer == consumer))
        return [dict(r._mapping) for r in rows]


async def test_duplicate_deliveries_are_applied_once(db: Database, broker: Broker) -> None:
    name = await topic(broker)
    events = [event(CounterBumped(counter="dup", amount=i)) for i in range(1, 21)]
    await send(broker.bootstrap, name, [("s", e.to_json_bytes()) for e in events + events[:7]])
    world = World()
    consumer = new_consumer(db, broker.bootstrap, name, world)
    await run_until(consumer, lambda: _metric_done(db, consumer.name, 20))
    assert await total(db, "dup") == sum(range(1, 21))


async def _metric_done(db: Database, consumer: str, count: int) -> bool:
    from shared.messaging.tables import inbox

    async with db.transaction() as session:
        seen = await session.scalar(
            select(func.count()).select_from(inbox).where(inbox.c.consumer == consumer)
        )
    return seen == count


async def test_a_crash_before_the_offset_commit_replays_without_double_counting(
    db: Database, broker: Broker
) -> None:
    name = await topic(broker)
    events = [event(CounterBumped(counter="crash", amount=1)) for _ in range(30)]
    await send(broker.bootstrap, name, [("s", e.to_json_bytes()) for e in events])
    world = World()
    group = f"g-{uuid.uuid4().hex[:8]}"
    # First incarnation applies part of the stream, then "dies" before committing offsets.
    first = new_consumer(db, broker.bootstrap, name, world, group)
    raw = AIOKafkaConsumer(
        name,
        bootstrap_servers=broker.bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await raw.start()
    try:
        applied = 0
        while applied < 12:
            for records in (await raw.getmany(timeout_ms=500, max_records=12 - applied)).values():
                for record in records:
                    await first.handle(record)
                    applied += 1
    finally:
        await raw.stop()
    # The restarted consumer gets everything again from the last committed offset (none).
    second = new_consumer(db, broker.bootstrap, name, world, group)
    await run_until(second, lambda: _metric_done(db, group, 30))
    assert await total(db, "crash") == 30


async def test_an_unreadable_message_is_parked_and_the_partition_moves_on(
    db: Database, broker: Broker
) -> None:
    name = await topic(broker)
    good = event(CounterBumped(counter="after-poison", amount=5))
    await send(broker.bootstrap, name, [("s", b"{not json"), ("s", good.to_json_bytes())])
    world = World()
    consumer = new_consumer(db, broker.bootstrap, name, world)
    await run_until(consumer, lambda: total(db, "after-poison"))
    rows = await parked(db, consumer.name)
    assert [r["error"].startswith("not a CloudEvents JSON envelope") for r in rows] == [True]  # type: ignore[union-attr]


async def test_a_parked_message_is_copied_to_the_dead_letter_topic(db: Database, broker: Broker) -> None:
    name = await topic(broker)
    await send(
        broker.bootstrap,
        name,
        [("s", b"garbage"), ("s", event(CounterBumped(counter="x", amount=1)).to_json_bytes())],
    )
    world = World()
    consumer = new_consumer(db, broker.bootstrap, name, world)
    await run_until(consumer, lambda: total(db, "x"))
    from shared.messaging.outbox import OutboxRelay

    relay = OutboxRelay(service="test", db=db, platform=platform_settings(broker.bootstrap))
    await ensure_topics(platform_settings(broker.bootstrap), [dead_letter_topic(consumer.name)])
    await relay._connect()  # noqa: SLF001
    await relay.publish_batch()
    await relay._disconnect()  # noqa: SLF001
    consumer_dlq = AIOKafkaConsumer(
        dead_letter_topic(consumer.name),
        bootstrap_servers=broker.bootstrap,
        auto_offset_reset="earliest",
        group_id=f"dlq-{uuid.uuid4().hex[:6]}",
    )
    await consumer_dlq.start()
    try:
        record = await asyncio.wait_for(consumer_dlq.getone(), 15)
    finally:
        await consumer_dlq.stop()
    assert record.value == b"garbage"


async def test_an_unknown_payload_version_is_parked_not_misread(db: Database, broker: Broker) -> None:
    name = await topic(broker)
    v2 = event(CounterBumpedV2(counter="v2", amount=3, unit="pcs"))
    await send(
        broker.bootstrap,
        name,
        [("s", v2.to_json_bytes()), ("s", event(CounterBumped(counter="v1", amount=1)).to_json_bytes())],
    )
    world = World()
    consumer = new_consumer(db, broker.bootstrap, name, world)
    await run_until(consumer, lambda: total(db, "v1"))
    rows = await parked(db, consumer.name)
    assert [("unsupported version 2" in str(r["error"]), await total(db, "v2")) for r in rows] == [
        (True, None)
    ]


async def test_other_event_types_are_ignored(db: Database, broker: Broker) -> None:
    name = await topic(broker)
    foreign = CloudEvent(
        id=str(uuid.uuid4()),
        source="/ddt/other",
        type="ddt.other.thing.v1",
        time="2026-01-01T00:00:00+00:00",
        data={"x": 1},
    )
    await send(
        broker.bootstrap,
        name,
        [("s", foreign.to_json_bytes()), ("s", event(CounterBumped(counter="y", amount=1)).to_json_bytes())],
    )
    world = World()
    consumer = new_consumer(db, broker.bootstrap, name, world)
    await run_until(consumer, lambda: total(db, "y"))
    assert await parked(db, consumer.name) == []


async def test_a_failing_handler_is_parked_then_replayed_once_fixed(db: Database, broker: Broker) -> None:
    name = await topic(broker)
    await send(
        broker.bootstrap,
        name,
        [
            ("s", event(CounterBumped(counter="flaky", amount=7)).to_json_bytes()),
            ("s", event(CounterBumped(counter="healthy", amount=1)).to_json_bytes()),
        ],
    )
    world = World()
    world.failing.add("flaky")
    consumer = new_consumer(db, broker.bootstrap, name, world)
    await run_until(consumer, lambda: total(db, "healthy"))
    [row] = await parked(db, consumer.name)
    world.failing.clear()
    first = await replay_dead_letter(db, consumer.name, world.handlers, int(row["id"]))  # type: ignore[arg-type]
    again = await replay_dead_letter(db, consumer.name, world.handlers, int(row["id"]))  # type: ignore[arg-type]
    assert (first.status, again.status, await total(db, "flaky")) == ("replayed", "replayed", 7)


async def test_a_replay_that_fails_again_stays_parked(db: Database, broker: Broker) -> None:
    name = await topic(broker)
    await send(
        broker.bootstrap,
        name,
        [
            ("s", event(CounterBumped(counter="broken", amount=1)).to_json_bytes()),
            ("s", event(CounterBumped(counter="ok", amount=1)).to_json_bytes()),
        ],
    )
    world = World()
    world.failing.add("broken")
    consumer = new_consumer(db, broker.bootstrap, name, world)
    await run_until(consumer, lambda: total(db, "ok"))
    [row] = await parked(db, consumer.name)
    result = await replay_dead_letter(db, consumer.name, world.handlers, int(row["id"]))  # type: ignore[arg-type]
    [after] = await parked(db, consumer.name)
    assert (result.status, after["status"], after["attempts"]) == ("parked", "parked", 3)
