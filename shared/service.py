"""Build a service: its FastAPI app, and the runtime behind it.

Every service is a :class:`ServiceDefinition` (routers, event consumers, background
tasks, accepted media types) turned into an app by :func:`create_service_app`. The
app's lifespan opens the database, migrates it in the embedded and test modes,
starts the outbox relay and the consumers, and stops them in reverse order. The
broker may be down at start-up: the relay and consumers reconnect in the background
and ``/readyz`` says "not ready" until they are connected.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession
from tenacity import AsyncRetrying, RetryCallState, RetryError, wait_exponential

from shared import tracing
from shared.db import Database
from shared.identity import IdentityVerifier
from shared.kit.context import Components
from shared.leadership import sleep_unless_stopped
from shared.logs import configure_logging
from shared.messaging.consumer import EventConsumer, EventHandlers
from shared.messaging.kafka import ensure_topics
from shared.messaging.outbox import EventPublisher, OutboxRelay
from shared.messaging.topics import all_topics
from shared.metrics import metrics_endpoint
from shared.middleware import BodyLimitMiddleware, MediaTypeMiddleware, RequestContextMiddleware
from shared.migrations import upgrade_to_head
from shared.problems import CATALOGUE_EXTENSION, install_problem_handlers
from shared.problems import catalogue as problem_catalogue
from shared.settings import ServiceSettings

log = logging.getLogger("ddt.service")

#: Readiness of a replica whose outbox relay stands by while another replica's publishes.
STANDBY = "standby"


@dataclass
class ConsumerSpec:
    """A consumer group of the service: what it reads and how it applies it."""

    name: str
    topics: list[str]
    handlers: EventHandlers


BackgroundTask = Callable[["Runtime", asyncio.Event], Awaitable[None]]
Hook = Callable[["Runtime"], Awaitable[None]]


@dataclass
class ServiceDefinition:
    """Everything that makes one service different from the others."""

    name: str
    title: str
    description: str
    routers: Sequence[APIRouter] = ()
    consumers: Sequence[ConsumerSpec] = ()
    background: Sequence[BackgroundTask] = ()
    on_startup: Sequence[Hook] = ()
    on_shutdown: Sequence[Hook] = ()
    accepted_media_types: Sequence[str] = ("application/json",)
    trust_request_id: bool = True
    public_paths: Sequence[str] = field(default_factory=lambda: ["/healthz", "/readyz", "/metrics"])
    #: Extra ASGI middleware (class, options), outermost first; it runs *inside* the shared
    #: ones, so it sees the request id, a size-checked body and an accepted media type.
    middleware: Sequence[tuple[type[Any], dict[str, Any]]] = ()
    #: ASGI middleware (class, options), outermost first, that runs right inside the request
    #: context and *before* the body is read: for checks that must cost a request its headers
    #: only (the gateway's in-flight limit, services.gateway.routing.inflight).
    door: Sequence[tuple[type[Any], dict[str, Any]]] = ()


class Runtime:
    """The running parts of a service, reachable from requests as ``app.state.runtime``."""

    def __init__(self, definition: ServiceDefinition, settings: ServiceSettings) -> None:
        self.definition = definition
        self.settings = settings
        self.name = definition.name
        self.db = Database(
            settings.effective_database_url,
            pool_size=settings.db_pool_size,
            pre_ping=settings.db_pool_pre_ping,
        )
        self.publisher = EventPublisher(definition.name)
        self.relay = OutboxRelay(
            service=definition.name,
            db=self.db,
            platform=settings.platform,
            batch_size=settings.outbox_batch_size,
            poll_seconds=settings.outbox_poll_seconds,
            retention_days=settings.outbox_retention_days,
        )
        self.consumers = [
            EventConsumer(
                service=definition.name,
                name=spec.name,
                db=self.db,
                platform=settings.platform,
                topics=spec.topics,
                handlers=spec.handlers,
                max_attempts=settings.consumer_max_attempts,
            )
            for spec in definition.consumers
        ]
        self.stop_event = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        #: What the service built at start-up, by type (:mod:`shared.kit.context`).
        self.components = Components()

    async def start(self) -> None:
        """Migrate (outside production), then start relay, consumers and background tasks."""
        if self.settings.should_migrate_on_start:
            await upgrade_to_head(self.db, self.name)
        for hook in self.definition.on_startup:
            await hook(self)
        self._spawn(self._topics_then(self.relay.run), "outbox-relay")
        for consumer in self.consumers:
            self._spawn(self._topics_then(consumer.run), f"consumer-{consumer.name}")
        for task in self.definition.background:
            self._spawn(task(self, self.stop_event), getattr(task, "__name__", "background"))
        if self.settings.platform.gc_freeze_on_start:
            # Everything allocated so far (modules, compiled schemas, the app) lives as long
            # as the process: out of the collector's sight, full collections stay short and
            # the latency tail does not carry them (p99 at saturation halved in the gateway
            # benchmark).
            gc.freeze()

    def _topics_then(self, run: Callable[[asyncio.Event], Awaitable[None]]) -> Awaitable[None]:
        async def wrapped() -> None:
            await self._ensure_topics()
            await run(self.stop_event)

        return wrapped()

    async def _ensure_topics(self) -> None:
        # Retries until the broker answers (0.5 s doubling to 5 s) or the service stops; a broker
        # that is down delays readiness only.
        stop = self.stop_event

        def waiting(state: RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            delay = state.next_action.sleep if state.next_action else None
            log.warning("broker not reachable yet", extra={"error": repr(error), "retry_s": delay})

        retrying = AsyncRetrying(
            wait=wait_exponential(multiplier=0.5, min=0.5, max=5.0),
            stop=lambda _state: stop.is_set(),
            sleep=lambda seconds: sleep_unless_stopped(stop, seconds),
            before_sleep=waiting,
        )
        with suppress(RetryError):  # stopped before the broker answered
            async for attempt in retrying:
                with attempt:
                    if stop.is_set():
                        return
                    await ensure_topics(self.settings.platform, all_topics())

    def _spawn(self, coro: Awaitable[None], name: str) -> None:
        async def guarded() -> None:
            try:
                await coro
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("background task crashed", extra={"task": name})

        self._tasks.append(asyncio.create_task(guarded(), name=f"{self.name}:{name}"))

    async def stop(self) -> None:
        """Stop background work, then close the database."""
        self.stop_event.set()
        if self._tasks:
            _done, pending = await asyncio.wait(self._tasks, timeout=15)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        for hook in self.definition.on_shutdown:
            await hook(self)
        await self.db.dispose()

    async def readiness(self) -> dict[str, Any]:
        """What ``/readyz`` reports: the database answers and the broker is connected."""
        checks: dict[str, Any] = {}
        try:
            await self.db.ping()
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unreachable: {type(exc).__name__}"
        # One replica's relay publishes (the advisory-lock leader); the others stand by.
        if self.relay.connected:
            checks["broker"] = "ok"
        elif self.relay.leadership.leading is False:
            checks["broker"] = STANDBY
        else:
            checks["broker"] = "connecting"
        for consumer in self.consumers:
            checks[f"consumer:{consumer.name}"] = "ok" if consumer.connected else "connecting"
        return checks


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request; committed before the response is sent."""
    async with request.app.state.runtime.db.transaction() as session:
        yield session


# scope="function": the commit happens before the response leaves, so a 2xx always
# means the change is durable (FastAPI's default would commit after sending).
DbSession = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def get_runtime(request: Request) -> Runtime:
    """The service runtime (publisher, settings, components).

    Async on purpose: FastAPI runs a plain-function dependency in its thread pool, a
    hop per request for what is an attribute read.
    """
    return request.app.state.runtime  # type: ignore[no-any-return]


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def create_service_app(definition: ServiceDefinition, settings: ServiceSettings) -> FastAPI:
    """A FastAPI app for ``definition`` with health, metrics, problems and middleware."""
    configure_logging(definition.name, settings.platform.log_level, json_lines=settings.platform.log_json)
    tracing.configure(definition.name, settings.environment.value)
    runtime = Runtime(definition, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        log.info("service started", extra={"port": settings.effective_port})
        try:
            yield
        finally:
            await runtime.stop()
            if tracing.enabled():
                await asyncio.to_thread(tracing.flush)

    app = FastAPI(
        title=definition.title,
        description=definition.description,
        version="1.0.0",
        lifespan=lifespan,
        debug=False,
        # FastAPI's own OpenTelemetry spans stay off: shared.tracing owns the traces (the
        # gateway's trust boundary, request ids in every span, no bodies or exception texts),
        # and FastAPI's would wrap ours as a second SERVER span per request.
        telemetry={
            "tracing": False,
            "metrics": False,
            "logs": False,
            "operation_spans": False,
            "auto_configure": False,
        },
    )
    app.state.runtime = runtime
    app.state.identity_verifier = IdentityVerifier(settings.platform.identity_public_key, definition.name)
    install_problem_handlers(app)

    async def healthz() -> dict[str, str]:
        return {"status": "alive", "service": definition.name}

    async def readyz() -> JSONResponse:
        checks = await runtime.readiness()
        ready = all(v in ("ok", STANDBY) for v in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not_ready", "service": definition.name, "checks": checks},
            status_code=200 if ready else 503,
        )

    app.add_api_route("/healthz", healthz, methods=["GET"], include_in_schema=False)
    app.add_api_route("/readyz", readyz, methods=["GET"], include_in_schema=False)
    app.add_route("/metrics", metrics_endpoint, methods=["GET"], include_in_schema=False)
    for router in definition.routers:
        app.include_router(router)

    def openapi_with_problems() -> dict[str, Any]:
        # The gateway documents every problem ``type`` URI from this list (shared.problems).
        if app.openapi_schema is None:
            FastAPI.openapi(app)[CATALOGUE_EXTENSION] = problem_catalogue()
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi_with_problems  # type: ignore[method-assign]

    # Outermost first: context (ids, timing) → door → body limit → media type → the service's own → app.
    for middleware_cls, options in reversed(definition.middleware):
        app.add_middleware(middleware_cls, **options)
    app.add_middleware(MediaTypeMiddleware, accepted=definition.accepted_media_types, router=app.router)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    for middleware_cls, options in reversed(definition.door):
        app.add_middleware(middleware_cls, **options)
    app.add_middleware(
        RequestContextMiddleware, service=definition.name, trust_request_id=definition.trust_request_id
    )
    return app
