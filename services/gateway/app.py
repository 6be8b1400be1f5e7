"""The gateway app: the only public door of the platform.

Routes are organised by domain module (parties, credentials, oauth, webhooks,
audit, idempotency, docs, routing); the request pipeline (authentication, roles,
rate limits, idempotency, audit) is :mod:`services.gateway.pipeline`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ssl
from dataclasses import dataclass

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.types import Scope

from services.gateway.audit.routes import router as audit_router
from services.gateway.bootstrap import bootstrap_if_empty
from services.gateway.components import GatewayComponents, build_components
from services.gateway.credentials.routes import router as credentials_router
from services.gateway.docs.openapi import MergedOpenApi
from services.gateway.docs.routes import router as docs_router
from services.gateway.housekeeping import housekeeping
from services.gateway.idempotency.routes import router as idempotency_router
from services.gateway.oauth.routes import router as oauth_router
from services.gateway.parties.reference_routes import router as reference_router
from services.gateway.parties.routes import router as parties_router
from services.gateway.pipeline import GatewayPipeline
from services.gateway.routing.inflight import InflightDoor, InflightLimits
from services.gateway.routing.proxy import Proxy, upstream_client
from services.gateway.routing.routes import router as not_served_router
from services.gateway.routing.table import UPSTREAM_SERVICES
from services.gateway.settings import GatewaySettings
from services.gateway.webhooks.dispatch import DeliverySender, webhook_handlers
from services.gateway.webhooks.routes import admin_router as webhook_admin_router
from services.gateway.webhooks.routes import router as webhooks_router
from shared.identity import IdentitySigner
from shared.messaging.topics import SERVICES, events_topic
from shared.service import ConsumerSpec, Runtime, ServiceDefinition, create_service_app


@dataclass(frozen=True)
class HttpClients:
    """The gateway's two HTTP pools: to the services, and to webhook receivers."""

    upstream: httpx.AsyncClient
    webhooks: httpx.AsyncClient


_FASTAPI_DOC_PATHS = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


async def _start(runtime: Runtime) -> None:
    settings: GatewaySettings = runtime.settings  # type: ignore[assignment]
    gw = build_components(settings, runtime.db)
    runtime.components.provide(gw)
    client = upstream_client(
        timeout=settings.upstream_timeout_seconds,
        connect_timeout=settings.platform.budget.connect_timeout_seconds,
        max_connections=settings.upstream_max_connections,
    )
    upstreams = {s: settings.upstream_url(s) for s in UPSTREAM_SERVICES}
    signer = IdentitySigner(
        settings.identity_private_key.get_secret_value(), settings.platform.identity_token_ttl_seconds
    )
    runtime.components.provide(
        Proxy(
            signer,
            upstreams,
            budget=settings.platform.budget,
            read_timeout=settings.upstream_timeout_seconds,
            failure_threshold=settings.circuit_failure_threshold,
            open_seconds=settings.circuit_open_seconds,
            inflight_floor=settings.inflight_floor,
            max_connections=settings.upstream_max_connections,
        )
    )
    runtime.components.provide(MergedOpenApi(client, upstreams))
    tls = ssl.create_default_context()
    if settings.webhook_ca_file:
        tls.load_verify_locations(cafile=settings.webhook_ca_file)
    webhook_client = httpx.AsyncClient(
        transport=httpx.AsyncHTTPTransport(retries=0, verify=tls),
        timeout=settings.webhook_timeout_seconds,
        follow_redirects=False,
    )
    runtime.components.provide(HttpClients(upstream=client, webhooks=webhook_client))
    runtime.components.provide(
        DeliverySender(
            runtime.db,
            gw.sealer,
            webhook_client,
            retry_window=dt.timedelta(hours=settings.webhook_retry_window_hours),
            first_retry=settings.webhook_first_retry_seconds,
            max_interval=settings.webhook_max_retry_interval_seconds,
            poll_seconds=settings.webhook_poll_seconds,
        )
    )
    if settings.should_bootstrap:
        await bootstrap_if_empty(runtime)


async def _stop(runtime: Runtime) -> None:
    proxy = runtime.components.find(Proxy)
    if proxy is not None:
        await proxy.aclose()
    clients = runtime.components.find(HttpClients)
    if clients is not None:
        await clients.upstream.aclose()
        await clients.webhooks.aclose()
    gw = runtime.components.find(GatewayComponents)
    if gw is not None:
        await gw.close()


async def _audit_writer(runtime: Runtime, stop: asyncio.Event) -> None:
    await runtime.components.get(GatewayComponents).audit.run(stop)


async def _webhook_sender(runtime: Runtime, stop: asyncio.Event) -> None:
    await runtime.components.get(DeliverySender).run(stop)


def _inflight_limits(scope: Scope) -> InflightLimits | None:
    """The running gateway's in-flight limits (None before start-up)."""
    proxy = scope["app"].state.runtime.components.find(Proxy)
    return proxy.inflight if proxy is not None else None


def definition(settings: GatewaySettings | None = None) -> ServiceDefinition:
    """What the gateway consists of."""
    consumer_group = settings.webhook_consumer_group if settings else "gateway-webhooks"
    return ServiceDefinition(
        name="gateway",
        title="Diandiantong API",
        description=(
            "The one public door of the Diandiantong cross-border e-commerce single window. "
            "Sign every request "
            "with DDT1-HMAC-SHA256 (docs/signing.md) or use an OAuth2 client-credentials token; send an "
            "Idempotency-Key on every POST, PUT and PATCH. Errors are RFC 9457 problem+json; each `code` is "
            "documented at /problems/{code}."
        ),
        routers=[
            oauth_router,
            parties_router,
            reference_router,
            credentials_router,
            webhooks_router,
            webhook_admin_router,
            audit_router,
            idempotency_router,
            docs_router,
            not_served_router,
        ],
        consumers=[
            ConsumerSpec(
                name=consumer_group, topics=[events_topic(s) for s in SERVICES], handlers=webhook_handlers()
            )
        ],
        background=[_audit_writer, _webhook_sender, housekeeping],
        on_startup=[_start],
        on_shutdown=[_stop],
        accepted_media_types=FORWARDED_MEDIA_TYPES,
        trust_request_id=False,
        door=[(InflightDoor, {"limits": _inflight_limits})],
        middleware=[(GatewayPipeline, {})],
    )


#: Every body type a service behind the gateway takes: the gateway checks the type before it
#: forwards, so a type missing here would be refused (415) on its way to a service that takes
#: it. The service then judges the body itself. tests/gateway/test_gateway_media_types.py holds
#: this list to every service's own.
FORWARDED_MEDIA_TYPES = (
    "application/json",
    "application/xml",
    "text/xml",
    "application/x-www-form-urlencoded",  # OAuth2 token requests; Kdniao's RequestData form
    "text/plain",  # IATA Cargo-IMP, MT940/MT942
    "text/csv",  # tracking batches, bank CSV statements, SAFE lists, exchange rates
    "application/yaml",  # reward policies
    "application/x-yaml",
    "text/yaml",
    # Claim evidence files (logistics checks the first bytes agree with the type).
    "image/jpeg",
    "image/png",
    "image/webp",
    "application/pdf",
)


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    """The ASGI app (uvicorn calls this as a factory)."""
    settings = settings or GatewaySettings()
    app = create_service_app(definition(settings), settings)
    # FastAPI's own /openapi.json and /docs (CDN assets) would shadow the merged document and
    # the self-hosted UI (they come first in the route list): drop them.
    app.router.routes = [
        r
        for r in app.router.routes
        if isinstance(r, APIRoute) or getattr(r, "path", None) not in _FASTAPI_DOC_PATHS
    ]
    return app
