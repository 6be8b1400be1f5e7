"""Idempotent consumers with dead-lettering.

For each message, in ONE database transaction: insert ``(consumer, event id)`` into
the ``inbox`` table, and apply the handler's effect. A duplicate delivery finds the
inbox row and changes nothing. Kafka offsets are committed only after that
transaction commits, so a crash anywhere replays messages the inbox then absorbs.

A message that cannot be read (not JSON, not a CloudEvent, an unknown payload
version, invalid data) or whose handler keeps failing is *parked*: a ``dead_letters``
row plus a copy on the consumer's dead-letter topic, committed with an inbox row, so
the partition moves on. :func:`replay_dead_letter` re-runs a parked message once the
cause is fixed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared import metrics, tracing
from shared.context import reset_request_id, set_request_id
from shared.db import Database
from shared.events.envelope import CloudEvent, EventData, split_type
from shared.kit.sql import insert_ignore, insert_ignore_returning
from shared.leadership import sleep_unless_stopped
from shared.messaging.kafka import client_options, new_consumer
from shared.messaging.outbox import stage_raw
from shared.messaging.tables import dead_letters, inbox
from shared.messaging.topics import dead_letter_topic
from shared.settings import PlatformSettings
from shared.sqltypes import utcnow

log = logging.getLogger("ddt.consumer")

Handler = Callable[[AsyncSession, CloudEvent, Any], Awaitable[None]]
#: An event of a chunk ready to apply: envelope, handler, validated payload, the record it came in.
_Prepared = tuple[CloudEvent, Handler, EventData, ConsumerRecord]


class UnreadableMessage(Exception):
    """The message cannot be turned into an event this consumer understands."""


@dataclass(frozen=True)
class _Route:
    model: type[EventData]
    handler: Handler


class EventHandlers:
    """Which handler applies which (event type, version)."""

    def __init__(self) -> None:
        self._routes: dict[tuple[str, int], _Route] = {}
        self._bases: set[str] = set()

    def on(self, model: type[EventData]) -> Callable[[Handler], Handler]:
        """Decorator: ``handler(session, event, data)`` applies ``model`` events."""

        def register(handler: Handler) -> Handler:
            self._routes[(model.event_type, model.version)] = _Route(model, handler)
            self._bases.add(model.event_type)
            return handler

        return register

    def handles(self, base_type: str) -> bool:
        """True if some version of ``base_type`` has a handler."""
        return base_type in self._bases

    def resolve(self, event: CloudEvent) -> tuple[Handler, EventData] | None:
        """Handler and validated payload; None if the type is not ours at all.

        Raises :class:`UnreadableMessage` for a type we handle in a version we don't
        know, or data that does not validate — both are parked, not skipped.
        """
        try:
            base, version = split_type(event.type)
        except ValueError as exc:
            raise UnreadableMessage(str(exc)) from exc
        if base not in self._bases:
            return None
        route = self._routes.get((base, version))
        if route is None:
            known = sorted(v for (b, v) in self._routes if b == base)
            raise UnreadableMessage(f"unsupported version {version} of {base}; this consumer reads {known}")
        try:
            return route.handler, route.model.model_validate(event.data)
        except ValidationError as exc:
            raise UnreadableMessage(
                f"invalid {event.type} data: {exc.error_count()} error(s): {exc.errors()[:3]}"
            ) from exc

    @property
    def types(self) -> list[str]:
        """Versioned types handled (for docs and logs)."""
        return sorted(f"{b}.v{v}" for b, v in self._routes)


def decode(raw: bytes | None) -> CloudEvent:
    """Bytes from Kafka → envelope, or :class:`UnreadableMessage`."""
    if not raw:
        raise UnreadableMessage("empty message")
    try:
        return CloudEvent.from_json_bytes(raw)
    except (ValidationError, ValueError) as exc:
        raise UnreadableMessage(f"not a CloudEvents JSON envelope: {str(exc)[:500]}") from exc


class EventConsumer:
    """Consumes topics for one consumer group and applies events exactly once in effect."""

    def __init__(
        self,
        *,
        service: str,
        name: str,
        db: Database,
        platform: PlatformSettings,
        topics: Iterable[str],
        handlers: EventHandlers,
        max_attempts: int = 3,
        retry_delays: tuple[float, ...] = (0.05, 0.25, 1.0),
        transaction_size: int = 100,
        consumer_factory: Callable[[PlatformSettings, str, list[str]], AIOKafkaConsumer] = new_consumer,
    ) -> None:
        self.service = service
        self.name = name
        self.db = db
        self.platform = platform
        self.topics = list(topics)
        self.handlers = handlers
        self.max_attempts = max_attempts
        self.retry_delays = retry_delays
        self.transaction_size = transaction_size
        self._consumer_factory = consumer_factory
        self.connected = False
        self._observed = 0.0

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until ``stop`` is set; reconnect with backoff if the broker goes away."""
        backoff = 0.5
        while not stop.is_set():
            consumer = self._consumer_factory(self.platform, self.name, self.topics)
            try:
                await asyncio.wait_for(consumer.start(), 15)
                self.connected = True
                backoff = 0.5
                log.info("consumer started", extra={"consumer": self.name, "topics": self.topics})
                while not stop.is_set():
                    batch = await consumer.getmany(timeout_ms=500)
                    if batch:
                        await self.process(consumer, batch)
                    await self._observe(consumer)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning(
                    "consumer loop failed; reconnecting", extra={"consumer": self.name, "error": repr(exc)}
                )
                await sleep_unless_stopped(stop, backoff)
                backoff = min(backoff * 2, 10.0)
            finally:
                self.connected = False
                metrics.CONSUMER_PARTITIONS.labels(self.service, self.name).set(0)
                try:
                    await asyncio.wait_for(consumer.stop(), 10)
                except Exception:
                    log.debug("consumer stop failed", exc_info=True)

    async def _observe(self, consumer: AIOKafkaConsumer) -> None:
        """Partitions held and lag, at most once a second (dashboards and the cluster tests)."""
        now = time.monotonic()
        if now - self._observed < 1.0:
            return
        self._observed = now
        assigned = consumer.assignment()
        lag = 0
        for tp in assigned:
            end = consumer.highwater(tp)
            if end is None:
                continue  # nothing fetched from it yet
            lag += max(end - await consumer.position(tp), 0)
        metrics.CONSUMER_PARTITIONS.labels(self.service, self.name).set(len(assigned))
        metrics.CONSUMER_LAG.labels(self.service, self.name).set(lag)

    async def process(
        self, consumer: AIOKafkaConsumer, batch: dict[TopicPartition, list[ConsumerRecord]]
    ) -> None:
        """Handle a fetched batch, then commit the offsets after the last handled record."""
        offsets: dict[TopicPartition, int] = {}
        for tp, records in batch.items():
            for start in range(0, len(records), self.transaction_size):
                await self.handle_many(records[start : start + self.transaction_size])
            offsets[tp] = records[-1].offset + 1
        try:
            await consumer.commit(offsets)
        except (CommitFailedError, KafkaError) as exc:
            # A rebalance took the partitions away; whoever gets them redelivers and the
            # inbox absorbs the duplicates.
            log.warning("offset commit failed; messages will be redelivered", extra={"error": repr(exc)})

    async def handle_many(self, records: list[ConsumerRecord]) -> None:
        """Apply consecutive records of one partition in ONE transaction.

        Under load a transaction per event costs more than the events' effects; here the
        inbox rows of the whole chunk go in with one statement and the handlers run in
        order inside the same transaction. If anything fails, the transaction rolls back
        and the chunk is replayed one event at a time by :meth:`handle`, which retries
        and parks exactly as before — so batching changes the cost, never the outcome.
        """
        if len(records) == 1:
            await self.handle(records[0])
            return
        prepared: list[_Prepared] = []
        for record in records:
            try:
                event = decode(record.value)
                resolved = self.handlers.resolve(event)
            except UnreadableMessage:
                await self.handle(record)  # parks it, in order, before the rest of the chunk
                continue
            if resolved is None:
                metrics.EVENTS_CONSUMED.labels(self.service, self.name, "ignored").inc()
                continue
            prepared.append((event, *resolved, record))
        if not prepared:
            return
        try:
            applied = await self._apply_chunk(prepared)
        except Exception as exc:
            log.info(
                "chunk failed; applying its events one by one",
                extra={"consumer": self.name, "error": repr(exc)},
            )
            for record in records:
                await self.handle(record)
            return
        metrics.EVENTS_CONSUMED.labels(self.service, self.name, "applied").inc(applied)
        metrics.EVENTS_CONSUMED.labels(self.service, self.name, "duplicate").inc(len(prepared) - applied)

    async def _apply_chunk(
        self, prepared: list[tuple[CloudEvent, Handler, EventData, ConsumerRecord]]
    ) -> int:
        now = utcnow()
        async with self.db.transaction() as session:
            rows = {event.id: event.type for event, _h, _d, _r in prepared}
            first_time = set(
                await insert_ignore_returning(
                    session,
                    inbox,
                    [
                        {
                            "consumer": self.name,
                            "event_id": eid,
                            "event_type": etype,
                            "outcome": "applied",
                            "processed_at": now,
                        }
                        for eid, etype in rows.items()
                    ],
                    returning=inbox.c.event_id,
                )
            )
            applied = 0
            for event, handler, data, record in prepared:
                if event.id not in first_time:
                    continue
                first_time.discard(event.id)  # a duplicate later in the same chunk is skipped
                request_id = getattr(event, "requestid", None) or event.id
                token = set_request_id(request_id)
                try:
                    with self._span(record, event, request_id) as span:
                        await handler(session, event, data)
                        # The session does not autoflush; the next handler of the chunk must see
                        # this one's rows, as it would have in its own transaction.
                        await session.flush()
                        tracing.set_outcome(span, "applied")
                finally:
                    reset_request_id(token)
                applied += 1
        return applied

    async def handle(self, record: ConsumerRecord) -> str:
        """Apply one record; returns the outcome (applied, duplicate, ignored, parked)."""
        fallback_id = f"{record.topic}:{record.partition}:{record.offset}"
        try:
            event = decode(record.value)
            resolved = self.handlers.resolve(event)
        except UnreadableMessage as exc:
            event_id = _peek_event_id(record.value) or fallback_id
            return await self._park(record, event_id, None, str(exc), attempts=1)
        if resolved is None:
            metrics.EVENTS_CONSUMED.labels(self.service, self.name, "ignored").inc()
            return "ignored"
        handler, data = resolved
        request_id = getattr(event, "requestid", None) or event.id
        token = set_request_id(request_id)
        try:
            with self._span(record, event, request_id) as span:
                return await self._apply_with_retries(record, event, handler, data, span)
        finally:
            reset_request_id(token)

    def _span(self, record: ConsumerRecord, event: CloudEvent, request_id: str) -> Any:
        """The CONSUMER span of ``event`` (a shared null context when tracing is off)."""
        return tracing.consumer_span(
            consumer=self.name,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            kafka_headers=record.headers,
            event_id=event.id,
            event_type=event.type,
            request_id=request_id,
        )

    async def _apply_with_retries(
        self, record: ConsumerRecord, event: CloudEvent, handler: Handler, data: EventData, span: Any
    ) -> str:
        last_error: BaseException | None = None
        for attempt in range(1, self.max_attempts + 1):
            try:
                outcome = await self.apply(event, handler, data)
                metrics.EVENTS_CONSUMED.labels(self.service, self.name, outcome).inc()
                tracing.set_outcome(span, outcome)
                return outcome
            except Exception as exc:
                last_error = exc
                log.warning(
                    "event handler failed",
                    extra={
                        "consumer": self.name,
                        "event_id": event.id,
                        "event_type": event.type,
                        "attempt": attempt,
                        "error": repr(exc),
                    },
                )
                if attempt < self.max_attempts:
                    await asyncio.sleep(self.retry_delays[min(attempt - 1, len(self.retry_delays) - 1)])
        tracing.set_outcome(span, "parked", error=type(last_error).__qualname__)
        return await self._park(record, event.id, event.type, repr(last_error), attempts=self.max_attempts)

    async def apply(self, event: CloudEvent, handler: Handler, data: EventData) -> str:
        """Inbox row + effect in one transaction; ``duplicate`` if seen before."""
        async with self.db.transaction() as session:
            first_time = await insert_ignore(
                session,
                inbox,
                {
                    "consumer": self.name,
                    "event_id": event.id,
                    "event_type": event.type,
                    "outcome": "applied",
                    "processed_at": utcnow(),
                },
            )
            if not first_time:
                return "duplicate"
            await handler(session, event, data)
        return "applied"

    async def _park(
        self, record: ConsumerRecord, event_id: str, event_type: str | None, error: str, *, attempts: int
    ) -> str:
        payload = (record.value or b"").decode("utf-8", errors="replace")
        key = record.key.decode("utf-8", errors="replace") if record.key else None
        async with self.db.transaction() as session:
            first_time = await insert_ignore(
                session,
                inbox,
                {
                    "consumer": self.name,
                    "event_id": event_id,
                    "event_type": event_type,
                    "outcome": "parked",
                    "processed_at": utcnow(),
                },
            )
            if not first_time:
                metrics.EVENTS_CONSUMED.labels(self.service, self.name, "duplicate").inc()
                return "duplicate"
            await insert_ignore(
                session,
                dead_letters,
                {
                    "consumer": self.name,
                    "event_id": event_id,
                    "event_type": event_type,
                    "topic": record.topic,
                    "partition": record.partition,
                    "offset": record.offset,
                    "key": key,
                    "payload": payload,
                    "error": error[:4000],
                    "attempts": attempts,
                    "status": "parked",
                    "parked_at": utcnow(),
                },
            )
            await stage_raw(
                session,
                topic=dead_letter_topic(self.name),
                key=key or event_id,
                event_id=f"dlq:{self.name}:{event_id}",
                event_type=event_type or "unreadable",
                payload=payload,
                headers={"error": error[:500], "source_topic": record.topic, "source_offset": record.offset},
            )
        log.error(
            "message parked as dead letter",
            extra={
                "consumer": self.name,
                "event_id": event_id,
                "event_type": event_type,
                "error": error[:500],
            },
        )
        metrics.EVENTS_CONSUMED.labels(self.service, self.name, "parked").inc()
        metrics.DEAD_LETTERS_PARKED.labels(self.service, self.name).inc()
        return "parked"


def _peek_event_id(raw: bytes | None) -> str | None:
    """Best effort: the ``id`` of a message that failed validation for another reason."""
    try:
        value = json.loads(raw or b"")
    except ValueError:
        return None
    event_id = value.get("id") if isinstance(value, dict) else None
    return event_id if isinstance(event_id, str) and 0 < len(event_id) <= 128 else None


@dataclass(frozen=True)
class ReplayResult:
    """What happened to a parked message on replay."""

    dead_letter_id: int
    status: str
    error: str | None = None


async def list_dead_letters(
    db: Database, consumer: str, *, status: str | None = "parked"
) -> list[dict[str, Any]]:
    """Parked (or all) dead letters of ``consumer``, oldest first."""
    query = select(dead_letters).where(dead_letters.c.consumer == consumer).order_by(dead_letters.c.id)
    if status:
        query = query.where(dead_letters.c.status == status)
    async with db.transaction() as session:
        return [dict(r._mapping) for r in (await session.execute(query)).all()]


async def replay_dead_letter(
    db: Database, consumer: str, handlers: EventHandlers, dead_letter_id: int
) -> ReplayResult:
    """Re-run a parked message through ``handlers``; it stays parked if it fails again."""
    async with db.transaction() as session:
        row = (
            await session.execute(
                select(dead_letters).where(
                    dead_letters.c.id == dead_letter_id, dead_letters.c.consumer == consumer
                )
            )
        ).first()
    if row is None:
        return ReplayResult(dead_letter_id, "not_found")
    if row.status != "parked":
        return ReplayResult(dead_letter_id, row.status)
    try:
        event = decode(row.payload.encode())
        resolved = handlers.resolve(event)
        if resolved is None:
            raise UnreadableMessage(f"no handler for {event.type}")
        handler, data = resolved
        async with db.transaction() as session:
            await handler(session, event, data)
            await session.execute(
                update(inbox)
                .where(inbox.c.consumer == consumer, inbox.c.event_id == row.event_id)
                .values(outcome="applied", processed_at=utcnow())
            )
            await session.execute(
                update(dead_letters)
                .where(dead_letters.c.id == dead_letter_id)
                .values(status="replayed", resolved_at=utcnow(), attempts=dead_letters.c.attempts + 1)
            )
    except Exception as exc:
        async with db.transaction() as session:
            await session.execute(
                update(dead_letters)
                .where(dead_letters.c.id == dead_letter_id)
                .values(attempts=dead_letters.c.attempts + 1, error=repr(exc)[:4000])
            )
        return ReplayResult(dead_letter_id, "parked", repr(exc))
    return ReplayResult(dead_letter_id, "replayed")


async def discard_dead_letter(db: Database, consumer: str, dead_letter_id: int) -> bool:
    """Mark a parked message as deliberately dropped (kept for audit)."""
    async with db.transaction() as session:
        result = await session.execute(
            update(dead_letters)
            .where(
                dead_letters.c.id == dead_letter_id,
                dead_letters.c.consumer == consumer,
                dead_letters.c.status == "parked",
            )
            .values(status="discarded", resolved_at=utcnow())
        )
    return bool(getattr(result, "rowcount", 0))


async def rewind_group(
    platform: PlatformSettings, group: str, topics: Iterable[str], to: dt.datetime
) -> dict[str, int]:
    """Commit, for consumer group ``group``, the offset of the first message at or after ``to``
    on every partition of ``topics`` (the log end where none is). Run it while the group has no
    member (every replica stopped): after a database restore, the events since are read again
    and the inbox absorbs those the restored database already applied."""
    from aiokafka.structs import OffsetAndMetadata

    consumer = AIOKafkaConsumer(**client_options(platform), group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [
            TopicPartition(topic, p)
            for topic in topics
            for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        consumer.assign(partitions)
        found = await consumer.offsets_for_times({tp: int(to.timestamp() * 1000) for tp in partitions})
        ends = await consumer.end_offsets(partitions)
        offsets = {tp: (hit.offset if (hit := found.get(tp)) else ends[tp]) for tp in partitions}
        await consumer.commit({tp: OffsetAndMetadata(o, "") for tp, o in offsets.items()})
    finally:
        await consumer.stop()
    return {f"{tp.topic}:{tp.partition}": o for tp, o in sorted(offsets.items())}
