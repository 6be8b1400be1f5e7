"""One trace follows a filing through the real processes of `make run`: the gateway's request,
its call to the declaration service, the outbox publication, and the stats service's
consumer applying the event — exported over OTLP/HTTP to a local collector.

The platform runs as shipped (``python -m deploy.embedded``: every service its own process,
the tansu broker), with ``OTEL_EXPORTER_OTLP_ENDPOINT`` pointing at the collector."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.collector import Collector, ReceivedSpan
from tests.support.embedded import free_offset, start_runner, stop_runner, wait_for_line
from tests.support.filings import Credential, SignedClient, order
from tests.support.infra import free_port

pytestmark = pytest.mark.slow

FILING = "/v1/customs/import/orders"


def only(spans: list[ReceivedSpan], what: str, match: Callable[[ReceivedSpan], bool]) -> ReceivedSpan:
    """The one span of ``spans`` that ``match`` picks (fails naming ``what`` and the trace)."""
    found = [s for s in spans if match(s)]
    summary = [(s.service, s.kind, s.name, s.span_id, s.parent_span_id) for s in spans]
    assert len(found) == 1, f"{what}: {len(found)} spans in {json.dumps(summary, indent=1)}"
    return found[0]


async def test_one_trace_spans_gateway_service_outbox_kafka_and_the_consumer(tmp_path: Path) -> None:
    collector = Collector().start()
    offset, broker_port = free_offset(), free_port()
    runner = start_runner(
        tmp_path / "var",
        offset,
        broker_port,
        {"OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint, "OTEL_BSP_SCHEDULE_DELAY": "200"},
    )
    client = SignedClient(f"http://127.0.0.1:{8000 + offset}")
    try:
        wait_for_line(runner, "Press Ctrl-C")
        first = json.loads((tmp_path / "var" / "gateway-first-run.json").read_text())["platform_admin"]
        party, code = await client.onboard_filer(Credential.of(first), "Traced enterprise")
        client_traceparent = f"00-{uuid.uuid4().hex}-{uuid.uuid4().hex[:16]}-01"
        client.http.headers["traceparent"] = client_traceparent  # an ERP's own trace
        filed = await client.call("POST", FILING, party, body=order(code, "TRACE-0001"))
        assert filed.status_code == 200, filed.text
        request_id = filed.headers["x-request-id"]

        # The gateway's span of the filing names the trace; wait until its consumer span arrives.
        deadline = time.monotonic() + 45
        spans: list[ReceivedSpan] = []
        while time.monotonic() < deadline:
            roots = collector.find(**{"ddt.request_id": request_id})
            gateway = [s for s in roots if s.service == "ddt-gateway" and s.kind == "server"]
            spans = collector.trace(gateway[0].trace_id) if gateway else []
            if any(s.kind == "consumer" and s.service == "ddt-stats" for s in spans):
                break
            await asyncio.sleep(0.25)
    finally:
        await client.aclose()
        stop_runner(runner)
        collector.stop()

    def of(service: str, kind: str) -> Callable[[ReceivedSpan], bool]:
        return lambda s: s.service == f"ddt-{service}" and s.kind == kind

    edge = only(spans, "gateway request", of("gateway", "server"))
    proxied = only(spans, "gateway → declaration", of("gateway", "client"))
    served = only(spans, "declaration request", of("declaration", "server"))
    consumed = only(spans, "stats applies the event", of("stats", "consumer"))
    sent = only(spans, "the event stats applied, sent", lambda s: s.span_id == consumed.parent_span_id)
    chain = [
        (edge.name, edge.parent_span_id, edge.links),
        (served.name, sent.service, sent.kind),
        proxied.parent_span_id == edge.span_id,
        served.parent_span_id == proxied.span_id,
        sent.parent_span_id == served.span_id,
        sent.attributes["messaging.message.id"] == consumed.attributes["messaging.message.id"],
        {s.attributes.get("ddt.request_id") for s in (edge, served, sent, consumed)},
    ]
    assert chain == [
        # A new trace at the edge, the client's kept as a link.
        ("POST /v1/customs/{direction}/orders", "", [client_traceparent.split("-")[1]]),
        (f"POST {FILING}", "ddt-declaration", "producer"),
        True,
        True,
        True,
        True,
        {request_id},
    ], json.dumps([(s.service, s.kind, s.name, s.span_id, s.parent_span_id) for s in spans], indent=1)
