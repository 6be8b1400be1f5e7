"""The logistics service app: overseas warehouses (registry, products, inbound, stock,
outbound, reports), returns and loss claims, with health, readiness, metrics and its
event backbone."""

from __future__ import annotations

from fastapi import FastAPI

from services.logistics.products.routes import router as products_router
from services.logistics.settings import LogisticsSettings
from services.logistics.stock.routes import router as stock_router
from services.logistics.warehouses.routes import router as warehouses_router
from shared.service import ServiceDefinition, create_service_app


def definition() -> ServiceDefinition:
    """What the logistics service consists of."""
    return ServiceDefinition(
        name="logistics",
        title="Diandiantong Logistics",
        description="Waybills, carrier tracking, overseas warehouses, returns and loss claims, "
        "customs logistics milestones.",
        routers=[warehouses_router, products_router, stock_router],
    )


def create_app(settings: LogisticsSettings | None = None) -> FastAPI:
    """The ASGI app (uvicorn calls this as a factory)."""
    return create_service_app(definition(), settings or LogisticsSettings())
