"""The logistics service app: health, readiness, metrics and its event backbone.

Its business routes arrive with its own issue; until then it runs its outbox relay
(for the events it will publish) and answers the platform's operational endpoints.
"""

from __future__ import annotations

from fastapi import FastAPI

from services.logistics.settings import LogisticsSettings
from shared.service import ServiceDefinition, create_service_app


def definition() -> ServiceDefinition:
    """What the logistics service consists of."""
    return ServiceDefinition(
        name="logistics",
        title="Diandiantong Logistics",
        description="Waybills, carrier tracking, overseas warehouses, returns and loss claims, "
        "customs logistics milestones.",
    )


def create_app(settings: LogisticsSettings | None = None) -> FastAPI:
    """The ASGI app (uvicorn calls this as a factory)."""
    return create_service_app(definition(), settings or LogisticsSettings())
