"""The stats service app."""

from __future__ import annotations

from fastapi import FastAPI

from services.stats.activity.handlers import handlers as activity_handlers
from services.stats.activity.routes import router as activity_router
from services.stats.settings import StatsSettings
from shared.messaging.topics import events_topic
from shared.service import ConsumerSpec, ServiceDefinition, create_service_app


def definition() -> ServiceDefinition:
    """What the stats service consists of."""
    return ServiceDefinition(
        name="stats",
        title="Diandiantong Stats",
        description="Trade statistics, regulator queries and exports, yearly reward runs, the regulator dashboard.",
        routers=[activity_router],
        consumers=[ConsumerSpec(name="stats", topics=[events_topic("declaration")], handlers=activity_handlers)],
    )


def create_app(settings: StatsSettings | None = None) -> FastAPI:
    """The ASGI app (uvicorn calls this as a factory)."""
    return create_service_app(definition(), settings or StatsSettings())
