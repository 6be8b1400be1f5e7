"""The transactional outbox and its relay, against the real broker and both databases."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from sqlalchemy import func, select

from shared.db import Database
from shared.events import CloudEvent
from shared.messaging.kafka import ensure_topics
from shared.messaging.outbox import EventPublisher, OutboxRelay
from shared.messaging.tables import outbox
from shared.settings import PlatformSettings
from tests.shared.events_fixtures import CounterBumped
from tests.support.infra import Broker, wait_until
from tests.support.services import platform_settings


def _publisher() -> EventPublisher:
    publisher = EventPublisher("logistics")
    publisher.topic = f"test.outbox.{uuid.uuid4().hex[:8]}"
    return publisher


def _quick_producer(platform: PlatformSettings, client_id: str) -> AIOKafkaProducer:
    # Same producer as production, with a short request timeout so a dead broker is noticed fast.
    return AIOKafkaProducer(
        bootstrap_servers=platform.kafka_bootstrap_servers,
        client_id=client_id,
        acks="all",
        request_timeout_ms=2000,
        retry_backoff_ms=100,
    )


def _relay(db: Database, bootstrap: str, **kwargs: object) -> OutboxRelay:
    return OutboxRelay(
        service="logistics",
        db=db,
        platform=platform_settings(bootstrap),
        poll_seconds=0.05,
        producer_factory=_quick_producer,
        **kwargs,
    )  # type: ignore[arg-type]


async def read_topic(bootstrap: str, topic: str, expected: int, timeout: float = 20.0) -> list[CloudEvent]:
    """Every event on ``topic`` from the beginning, once ``expected`` have arrived."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()  # noqa: SLF001
        partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in partitions]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        events: list[CloudEvent] = []
        deadline = asyncio.get_running_loop().time() + timeout
        while len(events) < expected and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            for records in batch.values():
                events.extend(CloudEvent.from_json_bytes(r.value) for r in records)
        return events
    finally:
        await consumer.stop()


async def unsent(db: Database) -> int:
    async with db.transaction() as session:
        return int(
            await session.scalar(select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None)))
        )


async def test_event_is_published_only_if_its_transaction_commits(
    messaging_db: Database, broker: Broker
) -> None:
    publisher = _publisher()
    await ensure_topics(platform_settings(broker.bootstrap), [publisher.topic])
    with pytest.raises(RuntimeError):
        async with messaging_db.transaction() as session:
            await publisher.stage(session, CounterBumped(counter="rolled-back", amount=1), subject="a")
            raise RuntimeError("the state change failed")
    async with messaging_db.transaction() as session:
        await publisher.stage(session, CounterBumped(counter="committed", amount=1), subject="a")
    relay = _relay(messaging_db, broker.bootstrap)
    await relay._connect()  # noqa: SLF001
    await relay.publish_batch()
    await relay._disconnect()  # noqa: SLF001
    events = await read_topic(broker.bootstrap, publisher.topic, expected=1)
    assert [e.data["counter"] for e in events] == ["committed"]


async def test_relay_keeps_order_per_key(messaging_db: Database, broker: Broker) -> None:
    publisher = _publisher()
    await ensure_topics(platform_settings(broker.bootstrap), [publisher.topic])
    async with messaging_db.transaction() as session:
        for i in range(60):
            await publisher.stage(session, CounterBumped(counter=f"k{i % 3}", amount=i), subject=f"k{i % 3}")
    relay = _relay(messaging_db, broker.bootstrap, batch_size=25)
    await relay._connect()  # noqa: SLF001
    while await relay.publish_batch():
        pass
    await relay._disconnect()  # noqa: SLF001
    events = await read_topic(broker.bootstrap, publisher.topic, expected=60)
    per_key = {k: [e.data["amount"] for e in events if e.subject == k] for k in ("k0", "k1", "k2")}
    assert per_key == {k: sorted(v) for k, v in per_key.items()} and sum(map(len, per_key.values())) == 60


async def test_rows_stay_unsent_until_the_broker_acknowledges(
    messaging_db: Database, own_broker: Broker
) -> None:
    publisher = _publisher()
    await ensure_topics(platform_settings(own_broker.bootstrap), [publisher.topic])
    relay = _relay(messaging_db, own_broker.bootstrap)
    await relay._connect()  # noqa: SLF001
    own_broker.stop()
    async with messaging_db.transaction() as session:
        await publisher.stage(session, CounterBumped(counter="c", amount=1), subject="c")
    with pytest.raises(Exception):  # noqa: B017 — any send failure will do
        await relay.publish_batch()
    await relay._disconnect()  # noqa: SLF001
    assert await unsent(messaging_db) == 1


async def test_events_written_while_the_broker_is_down_are_delivered_when_it_returns(
    messaging_db: Database, own_broker: Broker
) -> None:
    publisher = _publisher()
    await ensure_topics(platform_settings(own_broker.bootstrap), [publisher.topic])
    own_broker.stop()
    relay = _relay(messaging_db, own_broker.bootstrap)
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    async with messaging_db.transaction() as session:
        for i in range(5):
            await publisher.stage(session, CounterBumped(counter="down", amount=i), subject="down")
    await asyncio.sleep(1.0)
    own_broker.start()
    await ensure_topics(platform_settings(own_broker.bootstrap), [publisher.topic])
    await wait_until(lambda: _none_unsent(messaging_db), timeout=40, message="outbox drained")
    stop.set()
    await task
    events = await read_topic(own_broker.bootstrap, publisher.topic, expected=5)
    assert sorted(e.data["amount"] for e in events) == [0, 1, 2, 3, 4]


async def _none_unsent(db: Database) -> bool:
    return await unsent(db) == 0


async def test_a_new_relay_publishes_what_a_stopped_one_left(messaging_db: Database, broker: Broker) -> None:
    publisher = _publisher()
    await ensure_topics(platform_settings(broker.bootstrap), [publisher.topic])
    async with messaging_db.transaction() as session:
        for i in range(10):
            await publisher.stage(session, CounterBumped(counter="restart", amount=i), subject=str(i))
    first = _relay(messaging_db, broker.bootstrap, batch_size=4)
    await first._connect()  # noqa: SLF001
    await first.publish_batch()
    await first._disconnect()  # noqa: SLF001 — "crash" after one batch
    second = _relay(messaging_db, broker.bootstrap, batch_size=4)
    await second._connect()  # noqa: SLF001
    while await second.publish_batch():
        pass
    await second._disconnect()  # noqa: SLF001
    events = await read_topic(broker.bootstrap, publisher.topic, expected=10)
    assert sorted(e.data["amount"] for e in events) == list(range(10))


async def test_relay_refills_a_broker_that_lost_its_log(messaging_db: Database, own_broker: Broker) -> None:
    publisher = _publisher()
    platform = platform_settings(own_broker.bootstrap)
    await ensure_topics(platform, [publisher.topic])
    async with messaging_db.transaction() as session:
        for i in range(3):
            await publisher.stage(session, CounterBumped(counter="refill", amount=i), subject="r")
    relay = _relay(messaging_db, own_broker.bootstrap)
    await relay._connect()  # noqa: SLF001
    await relay.publish_batch()
    await relay._disconnect()  # noqa: SLF001
    own_broker.stop()
    own_broker.start()  # in-memory storage: empty again
    await ensure_topics(platform, [publisher.topic])
    await relay._connect()  # noqa: SLF001 — notices the empty topic and re-marks the rows
    while await relay.publish_batch():
        pass
    await relay._disconnect()  # noqa: SLF001
    events = await read_topic(own_broker.bootstrap, publisher.topic, expected=3)
    assert sorted(e.data["amount"] for e in events) == [0, 1, 2]
