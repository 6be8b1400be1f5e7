"""Tracing: off without an endpoint (nothing loaded, nothing added), and on, the outbox carries a
request's trace into the Kafka headers. The whole path across processes is proven in
tests/e2e/test_tracing.py."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy import select

from deploy.embedded import ROOT
from shared import tracing
from shared.context import reset_request_id, set_request_id
from shared.db import Database
from shared.messaging.kafka import ensure_topics
from shared.messaging.outbox import EventPublisher, OutboxRelay
from shared.messaging.tables import outbox
from tests.shared.events_fixtures import CounterBumped
from tests.support.infra import Broker
from tests.support.services import platform_settings


@pytest.mark.parametrize(
    ("environ", "asked"),
    [
        ({}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": ""}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_SDK_DISABLED": "true"}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_TRACES_EXPORTER": "none"}, False),
    ],
)
def test_traces_are_asked_for_by_an_otlp_endpoint(environ: dict[str, str], asked: bool) -> None:
    assert tracing.requested(environ) is asked


def test_without_an_endpoint_no_service_loads_the_tracing_sdk() -> None:
    script = (
        "import sys\n"
        "from shared import tracing\n"
        "from services.gateway.app import create_app as gateway\n"
        "from services.declaration.app import create_app as declaration\n"
        "from services.stats.app import create_app as stats\n"
        "from services.gateway.settings import GatewaySettings\n"
        "from services.declaration.settings import DeclarationSettings\n"
        "from services.stats.settings import StatsSettings\n"
        "import tempfile, pathlib\n"
        "var = pathlib.Path(tempfile.mkdtemp())\n"
        "gateway(GatewaySettings(database_url=f'sqlite+aiosqlite:///{var}/g.db'))\n"
        "declaration(DeclarationSettings(database_url=f'sqlite+aiosqlite:///{var}/d.db'))\n"
        "stats(StatsSettings(database_url=f'sqlite+aiosqlite:///{var}/s.db'))\n"
        # (redis-py imports the metrics SDK when it is installed; the tracing stack is ours.)
        "ours = ('opentelemetry.sdk.trace', 'opentelemetry.exporter')\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(ours))\n"
        "print(tracing.enabled(), loaded)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "DDT_"))}
    env["PYTHONPATH"] = str(ROOT)
    ran = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert ran.stdout.strip().splitlines()[-1:] == ["False []"], ran.stdout + ran.stderr


async def _staged_headers(db: Database, publisher: EventPublisher, request_id: str) -> object:
    token = set_request_id(request_id)
    try:
        async with db.transaction() as session:
            event = await publisher.stage(session, CounterBumped(counter="c", amount=1), subject="k")
    finally:
        reset_request_id(token)
    async with db.transaction() as session:
        return await session.scalar(select(outbox.c.headers).where(outbox.c.event_id == event.id))


async def test_off_an_outbox_row_keeps_only_its_request_id(messaging_db: Database) -> None:
    assert not tracing.enabled()
    headers = await _staged_headers(messaging_db, EventPublisher("logistics"), "req-off")
    assert headers == {"request_id": "req-off"}


@pytest.fixture
def exported() -> Iterator[InMemorySpanExporter]:
    """Tracing on in this process, exporting to memory, for the length of the test."""
    exporter = InMemorySpanExporter()
    assert tracing.configure("logistics", "test", {}, exporter=exporter)
    try:
        yield exporter
    finally:
        tracing.shutdown()


async def test_on_the_relay_continues_the_staging_trace_into_the_kafka_headers(
    messaging_db: Database, broker: Broker, exported: InMemorySpanExporter
) -> None:
    from opentelemetry import trace

    publisher = EventPublisher("logistics")
    publisher.topic = f"test.tracing.{uuid.uuid4().hex[:8]}"
    platform = platform_settings(broker.bootstrap)
    await ensure_topics(platform, [publisher.topic])
    tracer = trace.get_tracer("test", tracer_provider=tracing._provider)  # noqa: SLF001
    with tracer.start_as_current_span("request") as request_span:
        headers = await _staged_headers(messaging_db, publisher, "req-on")
    relay = OutboxRelay(service="logistics", db=messaging_db, platform=platform)
    await relay._connect()  # noqa: SLF001
    await relay.publish_batch()
    await relay._disconnect()  # noqa: SLF001
    consumer = AIOKafkaConsumer(bootstrap_servers=broker.bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        tps = [
            TopicPartition(publisher.topic, p) for p in consumer.partitions_for_topic(publisher.topic) or ()
        ]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        records = [r for batch in (await consumer.getmany(timeout_ms=5000)).values() for r in batch]
    finally:
        await consumer.stop()
    [sent] = [s for s in exported.get_finished_spans() if s.kind is SpanKind.PRODUCER]
    kafka_traceparent = dict(records[0].headers)["traceparent"].decode()
    context = request_span.get_span_context()
    assert (
        isinstance(headers, dict) and headers["traceparent"].split("-")[1:3],
        sent.parent.span_id if sent.parent else None,
        kafka_traceparent.split("-")[1:3],
        sent.attributes["ddt.request_id"] if sent.attributes else None,
    ) == (
        [f"{context.trace_id:032x}", f"{context.span_id:016x}"],
        context.span_id,
        [f"{context.trace_id:032x}", f"{sent.context.span_id:016x}"],
        "req-on",
    )
