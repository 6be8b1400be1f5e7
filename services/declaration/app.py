"""The declaration service app: customs declarations in, pre-checked, stored and published."""

from __future__ import annotations

from fastapi import FastAPI

from services.declaration.context import DeclarationContext
from services.declaration.customs.driver import run_exchange, start_exchange
from services.declaration.customs.routes import router as customs_router
from services.declaration.directory.handlers import handlers as directory_handlers
from services.declaration.documents.routes import router as documents_router
from services.declaration.intake.routes import router as intake_router
from services.declaration.milestones.handlers import CONSUMER as MILESTONES_CONSUMER
from services.declaration.milestones.handlers import TOPICS as MILESTONE_TOPICS
from services.declaration.milestones.handlers import Bound, handlers_for
from services.declaration.milestones.routes import router as milestones_router
from services.declaration.quota.routes import router as quota_router
from services.declaration.settings import DeclarationSettings
from shared.messaging.topics import events_topic
from shared.service import ConsumerSpec, Runtime, ServiceDefinition, create_service_app


def definition() -> ServiceDefinition:
    """What the declaration service consists of."""
    bound = Bound()

    async def _build_context(runtime: Runtime) -> None:
        settings = runtime.settings
        assert isinstance(settings, DeclarationSettings)
        context = DeclarationContext.from_settings(settings)
        runtime.components.provide(context)
        bound.publisher, bound.ctx = runtime.publisher, context

    return ServiceDefinition(
        name="declaration",
        title="Diandiantong Declaration",
        description=(
            "Customs declarations: CEB messages in and out, pre-checks, customs exchange, "
            "receipts, summaries."
        ),
        routers=[intake_router, documents_router, customs_router, milestones_router, quota_router],
        consumers=[
            ConsumerSpec(name="declaration", topics=[events_topic("gateway")], handlers=directory_handlers),
            ConsumerSpec(name=MILESTONES_CONSUMER, topics=MILESTONE_TOPICS, handlers=handlers_for(bound)),
        ],
        background=[run_exchange],
        on_startup=[_build_context, start_exchange],
        accepted_media_types=("application/json", "application/xml", "text/xml"),
    )


def create_app(settings: DeclarationSettings | None = None) -> FastAPI:
    """The ASGI app (uvicorn calls this as a factory)."""
    return create_service_app(definition(), settings or DeclarationSettings())
