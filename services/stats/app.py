"""The stats service app: facts and aggregates from the declaration and gateway events,
regulator queries and exports, reward runs, and the regulator dashboard."""

from __future__ import annotations

import datetime as dt
import logging

from fastapi import FastAPI

from services.stats.admin.routes import router as admin_router
from services.stats.consumption import CONSUMER, TOPICS, handlers
from services.stats.dashboard.routes import router as dashboard_router
from services.stats.exchange_rates.routes import router as rates_router
from services.stats.exchange_rates.service import parse_rates, seed_default_rates, store_rates
from services.stats.facts.routes import router as facts_router
from services.stats.facts.service import revalue
from services.stats.goods_funds.routes import router as goods_funds_router
from services.stats.logistics.routes import router as logistics_router
from services.stats.queries.routes import router as queries_router
from services.stats.reference.names import load_names
from services.stats.reference.places import PlaceDirectory, load_places
from services.stats.rewards.runs.exports import export_worker
from services.stats.rewards.runs.policies import seed_example
from services.stats.rewards.runs.routes import router as rewards_router
from services.stats.settings import StatsSettings
from services.stats.warehouses.routes import router as warehouses_router
from services.stats.warehouses.rules import load_criteria
from services.stats.warehouses.service import CertificationCriteria
from shared.service import ConsumerSpec, Runtime, ServiceDefinition, create_service_app

log = logging.getLogger("ddt.stats")


async def _seed(runtime: Runtime) -> None:
    """Default rates on an empty table; a configured rate file on every start."""
    settings = runtime.settings
    assert isinstance(settings, StatsSettings)
    async with runtime.db.transaction() as session:
        seeded = await seed_default_rates(session)
        if settings.exchange_rates_file is not None:
            rows = parse_rates(settings.exchange_rates_file.read_text("utf-8"))
            await store_rates(session, rows, source=str(settings.exchange_rates_file), actor="system")
            earliest = min(r.month for r in rows)
            await revalue(session, {r.currency for r in rows}, dt.date.fromisoformat(f"{earliest}-01"))
        await seed_example(session)
    places = runtime.components.provide(PlaceDirectory(load_places(settings.places_file)))
    runtime.components.provide(load_names(settings.districts_file, places.places))
    runtime.components.provide(CertificationCriteria(load_criteria()))
    if seeded:
        log.info("default exchange rates loaded", extra={"rates": seeded})


def definition() -> ServiceDefinition:
    """What the stats service consists of."""
    return ServiceDefinition(
        name="stats",
        title="Diandiantong Stats",
        description="Trade statistics, regulator queries and exports, yearly reward runs, the dashboard.",
        routers=[
            queries_router,
            facts_router,
            rates_router,
            rewards_router,
            dashboard_router,
            admin_router,
            goods_funds_router,
            warehouses_router,
            logistics_router,
        ],
        consumers=[ConsumerSpec(name=CONSUMER, topics=TOPICS, handlers=handlers)],
        on_startup=[_seed],
        background=[export_worker],
        accepted_media_types=(
            "application/json",
            "text/csv",
            "application/yaml",
            "application/x-yaml",
            "text/yaml",
            "text/plain",
        ),
    )


def create_app(settings: StatsSettings | None = None) -> FastAPI:
    """The ASGI app (uvicorn calls this as a factory)."""
    return create_service_app(definition(), settings or StatsSettings())
