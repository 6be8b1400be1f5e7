"""The gateway app: the only public door of the platform."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from services.gateway.routing.proxy import Proxy
from services.gateway.routing.routes import router as forward_router
from services.gateway.routing.table import UPSTREAM_SERVICES
from services.gateway.settings import GatewaySettings
from shared.identity import IdentitySigner
from shared.service import Runtime, ServiceDefinition, create_service_app


async def _open_upstreams(runtime: Runtime) -> None:
    settings: GatewaySettings = runtime.settings  # type: ignore[assignment]
    client = httpx.AsyncClient(
        timeout=httpx.Timeout(
            settings.upstream_timeout_seconds, connect=settings.upstream_connect_timeout_seconds
        ),
        limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
        follow_redirects=False,
    )
    signer = IdentitySigner(
        settings.identity_private_key.get_secret_value(), settings.platform.identity_token_ttl_seconds
    )
    runtime.extras["http"] = client
    runtime.extras["proxy"] = Proxy(client, signer, {s: settings.upstream_url(s) for s in UPSTREAM_SERVICES})


async def _close_upstreams(runtime: Runtime) -> None:
    client: httpx.AsyncClient | None = runtime.extras.get("http")
    if client is not None:
        await client.aclose()


def definition() -> ServiceDefinition:
    """What the gateway consists of."""
    return ServiceDefinition(
        name="gateway",
        title="Diandiantong Gateway",
        description="The one public door of the Diandiantong cross-border e-commerce single window.",
        routers=[forward_router],
        on_startup=[_open_upstreams],
        on_shutdown=[_close_upstreams],
        accepted_media_types=("application/json", "application/xml", "text/xml"),
        trust_request_id=False,
    )


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    """The ASGI app (uvicorn calls this as a factory)."""
    return create_service_app(definition(), settings or GatewaySettings())
