"""OpenTelemetry traces along a request's whole path, when an OTLP endpoint is configured.

One trace follows a filing from the gateway to the service, into the outbox, through
Kafka, to every consumer that applies its events:

* a SERVER span per HTTP request (:class:`shared.middleware.RequestContextMiddleware`).
  Internal services continue the W3C ``traceparent`` the gateway sent. The gateway is the
  trust boundary: it starts a new trace for every client request and keeps a client's own
  ``traceparent`` only as a span *link*, so a client can neither join our traces nor steer
  their sampling, yet its engineers can still find our trace from theirs;
* a CLIENT span per call the gateway proxies, whose context travels in ``traceparent``;
* the context of the span that staged an outbox row is stored in the row's ``headers``, so a
  relay — in whichever replica leads, however much later — continues the request's trace
  with a PRODUCER span per message and puts that span's ``traceparent`` in the Kafka headers;
* a CONSUMER span per event a consumer applies (or parks), child of the message's context;
  events a handler stages inherit it, so a chain of services stays one trace.

Every span carries the request id (``ddt.request_id``), the one the access log, problem
documents and CloudEvents carry. Errors are recorded by type only: exception messages can
hold SQL parameters, and personal data never leaves the process in telemetry.

Off — no ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``…_TRACES_ENDPOINT``) — every hook is one test
of a module global and the SDK is never imported. On, the SDK's batch processor exports
OTLP/HTTP protobuf from a background thread, reading the standard ``OTEL_*`` variables
(headers, timeout, sampler, batch sizes, certificate).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opentelemetry.trace import Span, Tracer

log = logging.getLogger("ddt.tracing")

#: Either variable turns tracing on (the SDK appends ``/v1/traces`` to the first).
ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
#: The W3C trace-context fields carried in HTTP headers, outbox rows and Kafka headers.
CONTEXT_FIELDS = ("traceparent", "tracestate")
REQUEST_ID = "ddt.request_id"

_tracer: Tracer | None = None
_provider: Any = None
_NULL: AbstractContextManager[None] = nullcontext()


def requested(environ: Mapping[str, str] = os.environ) -> bool:
    """True if the environment asks for traces (an endpoint, and the SDK not disabled)."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    if environ.get("OTEL_TRACES_EXPORTER", "otlp").strip().lower() == "none":
        return False
    return any(environ.get(name, "").strip() for name in ENDPOINT_VARIABLES)


def enabled() -> bool:
    """True once :func:`configure` set up an exporting tracer in this process."""
    return _tracer is not None


def configure(
    service: str, environment: str, environ: Mapping[str, str] = os.environ, *, exporter: Any = None
) -> bool:
    """Set up the process's tracer for ``service`` if the environment asks for traces.

    Idempotent: one provider per process (a process runs one service; the in-process test
    suite, with several apps, never sets the endpoint). ``exporter``, an SDK ``SpanExporter``,
    turns tracing on whatever the environment says and exports to it span by span, without
    becoming the global provider (embedding and tests). Returns whether tracing is on.
    """
    global _tracer, _provider
    if _tracer is not None or (exporter is None and not requested(environ)):
        return _tracer is not None
    protocol = (
        environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or environ.get("OTEL_EXPORTER_OTLP_PROTOCOL") or ""
    )
    if protocol and protocol != "http/protobuf":
        log.warning(
            "only OTLP over HTTP (protobuf) is shipped; exporting with it",
            extra={"requested_protocol": protocol},
        )
    # Imported here, not at module level: without an endpoint none of this loads.
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    resource = Resource.create(
        {
            "service.name": f"ddt-{service}",
            "service.namespace": "diandiantong",
            "service.instance.id": f"{socket.gethostname()}:{os.getpid()}",
            "deployment.environment.name": environment,
        }
    )
    provider = TracerProvider(resource=resource)
    if exporter is not None:
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor

        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        trace.set_tracer_provider(provider)
    _provider = provider
    _tracer = provider.get_tracer("diandiantong")
    log.info("tracing on", extra={"service_name": f"ddt-{service}"})
    return True


def flush(timeout_seconds: float = 5.0) -> None:
    """Export what is buffered (a service's shutdown calls it; a no-op when off)."""
    if _provider is not None:
        _provider.force_flush(int(timeout_seconds * 1000))


def shutdown() -> None:
    """Export what is buffered and turn tracing off in this process."""
    global _tracer, _provider
    provider, _provider, _tracer = _provider, None, None
    if provider is not None:
        provider.shutdown()


def _tracer_or_fail() -> Tracer:
    assert _tracer is not None, "call the hooks only when tracing is enabled()"
    return _tracer


def _context_from(carrier: Mapping[str, str]) -> Any:
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    return TraceContextTextMapPropagator().extract(carrier)


def _fail(span: Span, error: BaseException | str) -> None:
    from opentelemetry.trace import Status, StatusCode

    kind = error if isinstance(error, str) else type(error).__qualname__
    span.set_attribute("error.type", kind)
    span.set_status(Status(StatusCode.ERROR, kind))


def current_context_fields() -> dict[str, str]:
    """The W3C fields of the current span (empty if there is none)."""
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    carrier: dict[str, str] = {}
    TraceContextTextMapPropagator().inject(carrier)
    return carrier


# --- HTTP ---------------------------------------------------------------------------------


class ServerSpan:
    """The SERVER span of one HTTP request, current while the app handles it."""

    def __init__(
        self,
        scope: MutableMapping[str, Any],
        request_id: str,
        *,
        continue_trace: bool,
        client_request_id: str | None = None,
    ) -> None:
        from opentelemetry import context, trace
        from opentelemetry.trace import Link, SpanKind

        headers = {
            k.decode("latin-1"): v.decode("latin-1")
            for k, v in scope.get("headers", ())
            if k in (b"traceparent", b"tracestate")
        }
        incoming = _context_from(headers) if headers else None
        parent = incoming if continue_trace else context.Context()
        links = []
        if incoming is not None and not continue_trace:
            remote = trace.get_current_span(incoming).get_span_context()
            if remote.is_valid:
                links.append(Link(remote, {"ddt.link": "client traceparent"}))
        method = scope.get("method", "")
        self.method = method
        attributes = {
            "http.request.method": method,
            "url.path": scope.get("path", ""),
            "url.scheme": scope.get("scheme", "http"),
            REQUEST_ID: request_id,
        }
        if client_request_id:
            attributes["ddt.client_request_id"] = client_request_id[:200]
        self.span = _tracer_or_fail().start_span(
            method, context=parent, kind=SpanKind.SERVER, links=links, attributes=attributes
        )
        self._token = context.attach(trace.set_span_in_context(self.span))

    def end(self, status: int, route: str | None, error: BaseException | None = None) -> None:
        """Name the span after the route, record the status, end it and detach it."""
        from opentelemetry import context

        if route:
            self.span.update_name(f"{self.method} {route}")
            self.span.set_attribute("http.route", route)
        self.span.set_attribute("http.response.status_code", status)
        if error is not None:
            _fail(self.span, error)
        elif status >= 500:
            _fail(self.span, str(status))
        self.span.end()
        context.detach(self._token)


def client_span(
    name: str, headers: list[tuple[bytes, bytes]], attributes: Mapping[str, str | int]
) -> AbstractContextManager[Span | None]:
    """A CLIENT span around an outgoing call; its ``traceparent`` is appended to ``headers``.

    When tracing is off, a shared null context (nothing appended)."""
    if _tracer is None:
        return _NULL
    return _client_span(name, headers, attributes)


@contextmanager
def _client_span(
    name: str, headers: list[tuple[bytes, bytes]], attributes: Mapping[str, str | int]
) -> Iterator[Span]:
    from opentelemetry.trace import SpanKind

    with _tracer_or_fail().start_as_current_span(
        name,
        kind=SpanKind.CLIENT,
        attributes=attributes,
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        for key, value in current_context_fields().items():
            headers.append((key.encode(), value.encode("latin-1")))
        try:
            yield span
        except BaseException as exc:
            _fail(span, exc)
            raise


# --- outbox and Kafka ---------------------------------------------------------------------


def with_trace_context(headers: dict[str, Any] | None) -> dict[str, Any] | None:
    """``headers`` of an outbox row plus the current span's W3C fields, if there is a span."""
    if _tracer is None:
        return headers
    fields = current_context_fields()
    if not fields:
        return headers
    return {**(headers or {}), **fields}


class PublishSpan:
    """The PRODUCER span of one outbox row sent to Kafka, in the trace of the row's request."""

    def __init__(
        self,
        *,
        topic: str,
        event_id: str,
        event_type: str,
        stored: Mapping[str, Any],
        waited_seconds: float,
    ) -> None:
        from opentelemetry import trace
        from opentelemetry.trace import SpanKind
        from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

        parent = _context_from({k: str(stored[k]) for k in CONTEXT_FIELDS if k in stored})
        attributes: dict[str, str | float] = {
            "messaging.system": "kafka",
            "messaging.operation.type": "send",
            "messaging.destination.name": topic,
            "messaging.message.id": event_id,
            "cloudevents.event_type": event_type,
            "ddt.outbox.wait_seconds": round(waited_seconds, 6),
        }
        if stored.get("request_id"):
            attributes[REQUEST_ID] = str(stored["request_id"])
        self.span = _tracer_or_fail().start_span(
            f"send {topic}", context=parent, kind=SpanKind.PRODUCER, attributes=attributes
        )
        carrier: dict[str, str] = {}
        TraceContextTextMapPropagator().inject(carrier, context=trace.set_span_in_context(self.span))
        #: Headers to add to the Kafka message.
        self.kafka_headers = [(k, v.encode("latin-1")) for k, v in carrier.items()]

    def end(self, error: BaseException | None = None) -> None:
        """End the span once the broker acknowledged (or refused) the message."""
        if error is not None:
            _fail(self.span, error)
        self.span.end()


def publish_span(
    *, topic: str, event_id: str, event_type: str, stored: Mapping[str, Any] | None, waited_seconds: float
) -> PublishSpan | None:
    """A :class:`PublishSpan` for a row staged inside a trace; None for one staged outside."""
    if _tracer is None or not isinstance(stored, Mapping) or "traceparent" not in stored:
        return None
    return PublishSpan(
        topic=topic, event_id=event_id, event_type=event_type, stored=stored, waited_seconds=waited_seconds
    )


def consumer_span(
    *,
    consumer: str,
    topic: str,
    partition: int,
    offset: int,
    kafka_headers: Sequence[tuple[str, bytes]] | None,
    event_id: str,
    event_type: str,
    request_id: str | None,
) -> AbstractContextManager[Span | None]:
    """A CONSUMER span, current while a handler applies one event (a null context when off)."""
    if _tracer is None:
        return _NULL
    return _consumer_span(
        consumer, topic, partition, offset, kafka_headers or (), event_id, event_type, request_id
    )


@contextmanager
def _consumer_span(
    consumer: str,
    topic: str,
    partition: int,
    offset: int,
    kafka_headers: Sequence[tuple[str, bytes]],
    event_id: str,
    event_type: str,
    request_id: str | None,
) -> Iterator[Span]:
    from opentelemetry.trace import SpanKind

    carrier = {k: v.decode("latin-1") for k, v in kafka_headers if k in CONTEXT_FIELDS and v is not None}
    attributes: dict[str, str | int] = {
        "messaging.system": "kafka",
        "messaging.operation.type": "process",
        "messaging.destination.name": topic,
        "messaging.consumer.group.name": consumer,
        "messaging.destination.partition.id": str(partition),
        "messaging.kafka.offset": offset,
        "messaging.message.id": event_id,
        "cloudevents.event_type": event_type,
    }
    if request_id:
        attributes[REQUEST_ID] = request_id
    with _tracer_or_fail().start_as_current_span(
        f"process {topic}",
        context=_context_from(carrier),
        kind=SpanKind.CONSUMER,
        attributes=attributes,
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        try:
            yield span
        except BaseException as exc:
            _fail(span, exc)
            raise


def set_outcome(span: Span | None, outcome: str, *, error: str | None = None) -> None:
    """Record what a consumer did with the event (applied, duplicate, parked); ``error``
    (an exception type) marks the span failed."""
    if span is None:
        return
    span.set_attribute("ddt.consumer.outcome", outcome)
    if error is not None:
        _fail(span, error)
