"""The declaration service app."""

from __future__ import annotations

from fastapi import FastAPI

from services.declaration.orders.routes import router as orders_router
from services.declaration.settings import DeclarationSettings
from shared.fx import RateTable
from shared.service import Runtime, ServiceDefinition, create_service_app


async def _load_reference_data(runtime: Runtime) -> None:
    runtime.extras["rates"] = RateTable.default()


def definition() -> ServiceDefinition:
    """What the declaration service consists of."""
    return ServiceDefinition(
        name="declaration",
        title="Diandiantong Declaration",
        description="Customs declarations: CEB messages in and out, pre-checks, customs exchange, receipts, summaries.",
        routers=[orders_router],
        on_startup=[_load_reference_data],
    )


def create_app(settings: DeclarationSettings | None = None) -> FastAPI:
    """The ASGI app (uvicorn calls this as a factory)."""
    return create_service_app(definition(), settings or DeclarationSettings())
