"""Transactional outbox: events commit with the state change, a relay publishes them.

* :class:`EventPublisher` stages an event as a row of the ``outbox`` table inside the
  caller's transaction — the event exists if and only if the state change does.
* :class:`OutboxRelay` publishes unsent rows in batches, in ``seq`` order, keyed by
  aggregate id, and marks a row sent only after the broker acknowledged it. A crash
  between the acknowledgement and the mark resends the row; consumers deduplicate
  by event id, so at-least-once here becomes exactly-once in effect.

On PostgreSQL several replicas of a service may run; a session-level advisory lock
elects one active relay so per-key order is not broken by two relays racing. If a
broker comes back empty (the embedded tansu broker keeps its log in memory), the
relay notices that a topic it had published to has no messages at all and marks the
retained rows of that topic unsent again, refilling the broker.

With tracing on (:mod:`shared.tracing`), a row keeps the W3C context of the span that
staged it in its ``headers``, and the relay's PRODUCER span for it carries that trace on
into the Kafka message's headers.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaProducer
from sqlalchemy import ColumnElement, Result, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared import metrics, tracing
from shared.context import current_request_id
from shared.db import OUTBOX_DIRTY, Database
from shared.events.envelope import CloudEvent, EventData, encode_event_json
from shared.leadership import Leadership, run_while_leading
from shared.messaging.kafka import new_producer, topic_end_offsets
from shared.messaging.tables import outbox
from shared.messaging.topics import events_topic
from shared.settings import PlatformSettings
from shared.sqltypes import utcnow

log = logging.getLogger("ddt.outbox")


@dataclass(frozen=True, slots=True)
class StagedEvent:
    """An event written to the outbox: what callers need of it, and the exact bytes it will carry."""

    id: str
    type: str
    subject: str
    payload: str

    def envelope(self) -> CloudEvent:
        """The CloudEvents envelope, parsed from the staged bytes (only when someone asks)."""
        return CloudEvent.from_json_bytes(self.payload.encode())


class EventPublisher:
    """Stages a service's events into its outbox, in the caller's transaction."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.source = f"/ddt/{service}"
        self.topic = events_topic(service)

    async def stage(
        self,
        session: AsyncSession,
        data: EventData,
        *,
        subject: str,
        event_id: str | None = None,
        time: dt.datetime | None = None,
    ) -> StagedEvent:
        """Add one event to the outbox; it is published only if the transaction commits."""
        return (await self.stage_many(session, [(data, subject)], event_ids=[event_id], time=time))[0]

    async def stage_many(
        self,
        session: AsyncSession,
        items: Sequence[tuple[EventData, str]],
        *,
        event_ids: Sequence[str | None] | None = None,
        time: dt.datetime | None = None,
    ) -> list[StagedEvent]:
        """Add several events (payload, subject) in one INSERT, keeping their order.

        Each event is encoded once (:func:`~shared.events.envelope.encode_event_json`: one
        payload dump, one ``json.dumps``, no envelope object) — the exchange stages about 16
        per import set, and the validated envelope cost as much again (docs/performance.md).
        """
        request_id = current_request_id()
        now = utcnow()
        ids = list(event_ids) if event_ids else [None] * len(items)
        staged: list[StagedEvent] = []
        for (data, subject), eid in zip(items, ids, strict=True):
            event_id, raw = encode_event_json(
                data,
                source=self.source,
                subject=subject,
                event_id=eid,
                time=time or now,
                requestid=request_id,
            )
            staged.append(StagedEvent(event_id, data.type_name(), subject, raw.decode()))
        headers = {"request_id": request_id} if request_id else None
        if tracing.enabled():
            # The relay that publishes the row, maybe in another replica, continues this trace.
            headers = tracing.with_trace_context(headers)
        if staged:
            await session.execute(
                insert(outbox),
                [
                    {
                        "event_id": e.id,
                        "topic": self.topic,
                        "key": e.subject or e.id,
                        "event_type": e.type,
                        "payload": e.payload,
                        "headers": headers,
                        "created_at": now,
                    }
                    for e in staged
                ],
            )
            session.info[OUTBOX_DIRTY] = True
        return staged


async def stage_raw(
    session: AsyncSession,
    *,
    topic: str,
    key: str,
    event_id: str,
    event_type: str,
    payload: str,
    headers: dict[str, Any] | None = None,
) -> None:
    """Stage an already-encoded message (dead letters keep the bytes they received)."""
    await session.execute(
        insert(outbox).values(
            event_id=event_id,
            topic=topic,
            key=key,
            event_type=event_type,
            payload=payload,
            headers=headers,
            created_at=utcnow(),
        )
    )
    session.info[OUTBOX_DIRTY] = True


class PublishFailed(RuntimeError):
    """Some rows of a batch were not acknowledged; they stay unsent."""


class OutboxRelay:
    """Publishes a service's outbox to Kafka; run :meth:`run` as a background task."""

    def __init__(
        self,
        *,
        service: str,
        db: Database,
        platform: PlatformSettings,
        batch_size: int = 500,
        poll_seconds: float = 0.5,
        retention_days: int = 7,
        linger_seconds: float = 0.01,
        producer_factory: Callable[[PlatformSettings, str], AIOKafkaProducer] = new_producer,
    ) -> None:
        self.service = service
        self.db = db
        self.platform = platform
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.linger_seconds = linger_seconds
        self.retention = dt.timedelta(days=retention_days)
        self._producer_factory = producer_factory
        self._producer: AIOKafkaProducer | None = None
        self._wake = asyncio.Event()
        self.leadership = Leadership(db, f"ddt-outbox-relay:{service}")
        self._last_purge = dt.datetime.min.replace(tzinfo=dt.UTC)
        self.connected = False
        db.on_outbox_commit(self.wake)

    @property
    def producer(self) -> AIOKafkaProducer | None:
        """The connected producer, if any (readiness checks use it)."""
        return self._producer if self.connected else None

    def wake(self) -> None:
        """Publish now rather than at the next poll (called after an outbox commit)."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until ``stop`` is set, reconnecting with backoff when the broker is away."""

        async def step() -> None:
            if self._producer is None:
                await self._connect()
            published = await self.publish_batch()
            await self._purge_if_due()
            if published < self.batch_size:
                await self._wait_for_work(stop)

        async def on_failure() -> None:
            metrics.OUTBOX_FAILURES.labels(self.service).inc()
            await self._disconnect()

        await run_while_leading(stop, self.leadership, step, on_failure, log, "outbox relay pass")
        await self._disconnect()

    async def _wait_for_work(self, stop: asyncio.Event) -> None:
        waiters = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
        try:
            await asyncio.wait(waiters, timeout=self.poll_seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waiters:
                w.cancel()
        if self._wake.is_set() and self.linger_seconds and not stop.is_set():
            # Under load every commit wakes the relay; lingering a moment lets the commits of
            # concurrent requests share one pass (one SELECT, one publish round, one UPDATE).
            await asyncio.sleep(self.linger_seconds)
        self._wake.clear()

    async def _connect(self) -> None:
        producer = self._producer_factory(self.platform, f"{self.service}-relay")
        try:
            await asyncio.wait_for(producer.start(), 15)
        except BaseException:
            await producer.stop()
            raise
        self._producer = producer
        self.connected = True
        metrics.BROKER_CONNECTED.labels(self.service).set(1)
        log.info("outbox relay connected to the broker")
        await self._refill_if_broker_lost_log()

    async def _disconnect(self) -> None:
        self.connected = False
        metrics.BROKER_CONNECTED.labels(self.service).set(0)
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                await asyncio.wait_for(producer.stop(), 10)
            except Exception:  # already broken; nothing more to release
                log.debug("producer stop failed", exc_info=True)

    async def publish_batch(self) -> int:
        """Publish up to ``batch_size`` unsent rows; return how many were taken."""
        assert self._producer is not None, "connect first"
        columns = [
            outbox.c.seq,
            outbox.c.topic,
            outbox.c.key,
            outbox.c.payload,
            outbox.c.event_id,
            outbox.c.event_type,
            outbox.c.created_at,
        ]
        traced = tracing.enabled()
        if traced:
            columns.append(outbox.c.headers)  # the trace context stored with the row
        async with self.db.transaction() as session:
            rows = (
                await session.execute(
                    select(*columns)
                    .where(outbox.c.sent_at.is_(None))
                    .order_by(outbox.c.seq)
                    .limit(self.batch_size)
                )
            ).all()
        metrics.OUTBOX_PENDING.labels(self.service).set(len(rows))
        metrics.OUTBOX_OLDEST_AGE.labels(self.service).set(
            max((utcnow() - rows[0].created_at).total_seconds(), 0.0) if rows else 0.0
        )
        if not rows:
            return 0
        futures = []
        spans: list[tracing.PublishSpan | None] = []
        now = utcnow()
        try:
            for row in rows:
                headers = [
                    ("ce_id", row.event_id.encode()),
                    ("ce_type", row.event_type.encode()),
                    ("content-type", b"application/cloudevents+json"),
                ]
                if traced:
                    span = tracing.publish_span(
                        topic=row.topic,
                        event_id=row.event_id,
                        event_type=row.event_type,
                        stored=row.headers,
                        waited_seconds=(now - row.created_at).total_seconds(),
                    )
                    spans.append(span)
                    if span is not None:
                        headers.extend(span.kafka_headers)
                futures.append(
                    await self._producer.send(
                        row.topic, value=row.payload.encode(), key=row.key.encode(), headers=headers
                    )
                )
        except BaseException as exc:
            for span in spans:
                if span is not None:
                    span.end(exc)
            raise
        results = await asyncio.gather(*futures, return_exceptions=True)
        for span, res in zip(spans, results, strict=False):
            if span is not None:
                span.end(res if isinstance(res, BaseException) else None)
        acked = [
            row.seq for row, res in zip(rows, results, strict=True) if not isinstance(res, BaseException)
        ]
        failed = [
            (row.seq, res) for row, res in zip(rows, results, strict=True) if isinstance(res, BaseException)
        ]
        async with self.db.transaction() as session:
            if acked:
                await session.execute(update(outbox).where(outbox.c.seq.in_(acked)).values(sent_at=utcnow()))
            for seq, error in failed:
                await session.execute(
                    update(outbox)
                    .where(outbox.c.seq == seq)
                    .values(attempts=outbox.c.attempts + 1, last_error=repr(error)[:2000])
                )
        metrics.OUTBOX_PUBLISHED.labels(self.service).inc(len(acked))
        if failed:
            raise PublishFailed(f"{len(failed)} of {len(rows)} events not acknowledged: {failed[0][1]!r}")
        return len(rows)

    async def _refill_if_broker_lost_log(self) -> None:
        async with self.db.transaction() as session:
            topics = (
                (
                    await session.execute(
                        select(outbox.c.topic).where(outbox.c.sent_at.is_not(None)).distinct()
                    )
                )
                .scalars()
                .all()
            )
        for topic in topics:
            ends = await topic_end_offsets(self.platform, topic)
            if ends and any(ends.values()):
                continue
            async with self.db.transaction() as session:
                result = await session.execute(
                    update(outbox)
                    .where(outbox.c.topic == topic, outbox.c.sent_at.is_not(None))
                    .values(sent_at=None)
                )
            log.warning(
                "broker has no messages for a topic this service published to; "
                "republishing the retained outbox",
                extra={"topic": topic, "events": _rowcount(result)},
            )

    async def _purge_if_due(self) -> None:
        now = utcnow()
        if now - self._last_purge < dt.timedelta(minutes=10):
            return
        self._last_purge = now
        async with self.db.transaction() as session:
            await session.execute(delete(outbox).where(outbox.c.sent_at < now - self.retention))


async def republish(db: Database, *, since: dt.datetime | None = None, topic: str | None = None) -> int:
    """Mark retained sent rows unsent so the relay publishes them again (admin command)."""
    condition: list[ColumnElement[bool]] = [outbox.c.sent_at.is_not(None)]
    if since is not None:
        condition.append(outbox.c.created_at >= since)
    if topic is not None:
        condition.append(outbox.c.topic == topic)
    async with db.transaction() as session:
        result = await session.execute(update(outbox).where(*condition).values(sent_at=None))
    return _rowcount(result)


def _rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE touched (``Result`` is typed without it; DML results have it)."""
    return int(getattr(result, "rowcount", 0) or 0)


async def pending_count(db: Database) -> int:
    """Rows not yet acknowledged by the broker."""
    async with db.transaction() as session:
        return int(
            (
                await session.execute(
                    select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None))
                )
            ).scalar_one()
        )


__all__ = ["EventPublisher", "OutboxRelay", "PublishFailed", "pending_count", "republish", "stage_raw"]
