"""Prometheus metrics shared by all services (one process-wide registry).

Labels carry the service name so that several services can share a process in the
test suite without colliding, and so dashboards can group by service.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response

HTTP_REQUESTS = Counter(
    "ddt_http_requests_total", "HTTP requests answered", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "ddt_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["service", "method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
OUTBOX_PUBLISHED = Counter("ddt_outbox_published_total", "Events published by the outbox relay", ["service"])
OUTBOX_FAILURES = Counter("ddt_outbox_publish_failures_total", "Failed outbox publish attempts", ["service"])
OUTBOX_PENDING = Gauge(
    "ddt_outbox_pending", "Events waiting in the outbox at the last relay pass", ["service"]
)
EVENTS_CONSUMED = Counter(
    "ddt_events_consumed_total",
    "Events handled by a consumer, by outcome (applied, duplicate, ignored, parked)",
    ["service", "consumer", "outcome"],
)
DEAD_LETTERS_PARKED = Counter(
    "ddt_dead_letters_parked_total", "Messages parked as dead letters", ["service", "consumer"]
)
OUTBOX_OLDEST_AGE = Gauge(
    "ddt_outbox_oldest_unsent_age_seconds",
    "Age of the oldest event not yet acknowledged by the broker, at the last relay pass (outbox lag)",
    ["service"],
)
CONSUMER_LAG = Gauge(
    "ddt_consumer_lag_messages",
    "Messages on the consumer's assigned partitions not yet consumed (log end minus position)",
    ["service", "consumer"],
)
CONSUMER_PARTITIONS = Gauge(
    "ddt_consumer_assigned_partitions",
    "Partitions this replica's consumer holds in its group now",
    ["service", "consumer"],
)
BROKER_CONNECTED = Gauge(
    "ddt_broker_connected", "1 while the service's Kafka producer is connected", ["service"]
)


async def metrics_endpoint(_request: Request) -> Response:
    """Expose the registry in the Prometheus text format."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
