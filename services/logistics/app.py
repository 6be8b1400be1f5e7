"""The logistics service app: shipments and legs, tracking from every carrier, customs
milestones from the track, subscriptions and costs (docs/logistics.md)."""

from __future__ import annotations

from fastapi import FastAPI

from services.logistics.alerts.service import run_alerts
from services.logistics.consumption import CONSUMER, TOPICS, Bound, handlers_for
from services.logistics.context import LogisticsContext
from services.logistics.costs.routes import router as costs_router
from services.logistics.settings import LogisticsSettings
from services.logistics.shipments.routes import router as shipments_router
from services.logistics.subscriptions.routes import router as subscriptions_router
from services.logistics.tracking.routes import router as tracking_router
from shared.service import ConsumerSpec, Runtime, ServiceDefinition, create_service_app

MEDIA_TYPES = (
    "application/json",
    "application/xml",
    "text/xml",
    "text/plain",
    "text/csv",
    "application/x-www-form-urlencoded",
)


def definition() -> ServiceDefinition:
    """What the logistics service consists of."""
    bound = Bound()

    async def build_context(runtime: Runtime) -> None:
        settings = runtime.settings
        assert isinstance(settings, LogisticsSettings)
        bound.ctx = runtime.components.provide(LogisticsContext.from_settings(settings))
        bound.publisher = runtime.publisher

    return ServiceDefinition(
        name="logistics",
        title="Diandiantong Logistics",
        description="Shipments and legs across post, express, air, sea (the China–Korea ferry), rail and "
        "road; "
        "tracking pushed by every carrier in its own format; customs milestones filed from the track; "
        "subscriptions, ETAs, stale alerts and logistics costs.",
        routers=[shipments_router, tracking_router, subscriptions_router, costs_router],
        consumers=[ConsumerSpec(name=CONSUMER, topics=TOPICS, handlers=handlers_for(bound))],
        background=[run_alerts],
        on_startup=[build_context],
        accepted_media_types=MEDIA_TYPES,
    )


def create_app(settings: LogisticsSettings | None = None) -> FastAPI:
    """The ASGI app (uvicorn calls this as a factory)."""
    return create_service_app(definition(), settings or LogisticsSettings())
