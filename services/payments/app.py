"""The payments service app: health, readiness, metrics and its event backbone.

Its business routes arrive with its own issue; until then it runs its outbox relay
(for the events it will publish) and answers the platform's operational endpoints.
"""

from __future__ import annotations

from fastapi import FastAPI

from services.payments.settings import PaymentsSettings
from shared.service import ServiceDefinition, create_service_app


def definition() -> ServiceDefinition:
    """What the payments service consists of."""
    return ServiceDefinition(
        name="payments",
        title="Diandiantong Payments",
        description="Payment institutions and banks: payment records, FX receipts, settlement, RMB "
        "settlement, reconciliation.",
    )


def create_app(settings: PaymentsSettings | None = None) -> FastAPI:
    """The ASGI app (uvicorn calls this as a factory)."""
    return create_service_app(definition(), settings or PaymentsSettings())
