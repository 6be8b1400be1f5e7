"""The logistics service app: shipments and legs, tracking from every carrier, customs
milestones from the track, subscriptions and costs (issue 10); overseas warehouses
(registry, products, inbound, stock, outbound, reports), returns and loss claims
(issue 11) — docs/logistics.md."""

from __future__ import annotations

from fastapi import FastAPI

from services.logistics import warehousing_events
from services.logistics.alerts.service import run_alerts
from services.logistics.claims.routes import router as claims_router
from services.logistics.consumption import CONSUMER, TOPICS, Bound, handlers_for
from services.logistics.context import LogisticsContext
from services.logistics.costs.routes import router as costs_router
from services.logistics.counts.routes import router as counts_router
from services.logistics.housekeeping import housekeeping_loop
from services.logistics.inbound.routes import router as inbound_router
from services.logistics.outbound.intake import OrderIntake, intake_loop
from services.logistics.outbound.routes import router as outbound_router
from services.logistics.products.routes import router as products_router
from services.logistics.reports.routes import router as reports_router
from services.logistics.returns.routes import router as returns_router
from services.logistics.settings import LogisticsSettings
from services.logistics.shipments.routes import router as shipments_router
from services.logistics.simulator.service import run_carrier_simulator
from services.logistics.stock.routes import router as stock_router
from services.logistics.subscriptions.routes import router as subscriptions_router
from services.logistics.tracking.routes import router as tracking_router
from services.logistics.warehouses.routes import router as warehouses_router
from shared.service import ConsumerSpec, Runtime, ServiceDefinition, create_service_app
from shared.vault import Vault

#: The tracking routers (issue 10).
TRACKING_ROUTERS = [shipments_router, tracking_router, subscriptions_router, costs_router]
#: The warehousing routers (issue 11); counts before stock so ``/stock/counts`` is its own route.
WAREHOUSING_ROUTERS = [
    warehouses_router,
    reports_router,
    products_router,
    inbound_router,
    counts_router,
    stock_router,
    outbound_router,
    returns_router,
    claims_router,
]
MEDIA_TYPES = (
    "application/json",
    "application/xml",
    "text/xml",
    "text/plain",  # IATA Cargo-IMP
    "text/csv",  # the tracking batch
    "application/x-www-form-urlencoded",  # Kdniao's RequestData form
    # Claim evidence files (the claims module checks the first bytes agree with the type).
    "image/jpeg",
    "image/png",
    "image/webp",
    "application/pdf",
)


async def _provide_warehousing(runtime: Runtime) -> None:
    """The personal-data vault (buyers' addresses) and the order intake, built once."""
    settings = runtime.settings
    assert isinstance(settings, LogisticsSettings)
    runtime.components.provide(
        Vault.from_text(
            settings.vault_keys.get_secret_value(),
            settings.effective_vault_key_id,
            settings.vault_hash_key.get_secret_value(),
        )
    )
    runtime.components.provide(OrderIntake(runtime.db, runtime.publisher))


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
        "road; tracking pushed by every carrier in its own format; customs milestones filed from the track; "
        "subscriptions, ETAs, stale alerts, logistics costs; overseas warehouses, returns and loss claims.",
        routers=[*TRACKING_ROUTERS, *WAREHOUSING_ROUTERS],
        consumers=[
            ConsumerSpec(name=CONSUMER, topics=TOPICS, handlers=handlers_for(bound)),
            ConsumerSpec(
                name=warehousing_events.CONSUMER,
                topics=warehousing_events.TOPICS,
                handlers=warehousing_events.handlers,
            ),
        ],
        background=[run_alerts, intake_loop, housekeeping_loop, run_carrier_simulator],
        on_startup=[_provide_warehousing, build_context],
        accepted_media_types=MEDIA_TYPES,
    )


def create_app(settings: LogisticsSettings | None = None) -> FastAPI:
    """The ASGI app (uvicorn calls this as a factory)."""
    return create_service_app(definition(), settings or LogisticsSettings())
