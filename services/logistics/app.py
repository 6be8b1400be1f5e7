"""The logistics service app: overseas warehouses (registry, products, inbound, stock,
outbound, reports), returns and loss claims, with health, readiness, metrics and its
event backbone."""

from __future__ import annotations

from fastapi import FastAPI

from services.logistics import warehousing_events
from services.logistics.counts.routes import router as counts_router
from services.logistics.inbound.routes import router as inbound_router
from services.logistics.outbound.routes import router as outbound_router
from services.logistics.products.routes import router as products_router
from services.logistics.settings import LogisticsSettings
from services.logistics.stock.routes import router as stock_router
from services.logistics.warehouses.routes import router as warehouses_router
from shared.service import ConsumerSpec, Runtime, ServiceDefinition, create_service_app
from shared.vault import Vault

#: The warehousing routers (issue 11); counts before stock so ``/stock/counts`` is its own route.
WAREHOUSING_ROUTERS = [
    warehouses_router,
    products_router,
    inbound_router,
    counts_router,
    stock_router,
    outbound_router,
]


async def _provide_vault(runtime: Runtime) -> None:
    """The personal-data vault (buyers' addresses), built once from the settings."""
    settings = runtime.settings
    assert isinstance(settings, LogisticsSettings)
    runtime.components.provide(
        Vault.from_text(
            settings.vault_keys.get_secret_value(),
            settings.effective_vault_key_id,
            settings.vault_hash_key.get_secret_value(),
        )
    )


def definition() -> ServiceDefinition:
    """What the logistics service consists of."""
    return ServiceDefinition(
        name="logistics",
        title="Diandiantong Logistics",
        description="Waybills, carrier tracking, overseas warehouses, returns and loss claims, "
        "customs logistics milestones.",
        routers=[*WAREHOUSING_ROUTERS],
        consumers=[
            ConsumerSpec(
                name=warehousing_events.CONSUMER,
                topics=warehousing_events.TOPICS,
                handlers=warehousing_events.handlers,
            )
        ],
        on_startup=[_provide_vault],
    )


def create_app(settings: LogisticsSettings | None = None) -> FastAPI:
    """The ASGI app (uvicorn calls this as a factory)."""
    return create_service_app(definition(), settings or LogisticsSettings())
