"""The payments service app: banks and payment institutions on the platform.

Institutions and the enterprises they serve, grants of access, transaction
information for FX (SAFE 汇发〔2019〕13号/28号) with signed evidence packages, the
USD 200,000 rule, settlement, statements, reconciliation, the ledger, goods–funds
consistency and export credit insurance (docs/payments.md).
"""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI

from services.payments.consumption import CONSUMER, TOPICS, handlers
from services.payments.context import PaymentsContext
from services.payments.evidence.routes import router as evidence_router
from services.payments.institutions.routes import router as institutions_router
from services.payments.insurance import service as insurance
from services.payments.insurance.routes import router as insurance_router
from services.payments.ledger.routes import router as ledger_router
from services.payments.reconciliation.routes import router as reconciliation_router
from services.payments.reconciliation.service import resume_all
from services.payments.settings import PaymentsSettings
from services.payments.settlement.routes import router as settlement_router
from services.payments.statements.routes import router as statements_router
from services.payments.threshold.routes import router as threshold_router
from services.payments.transactions.routes import router as transactions_router
from shared.service import ConsumerSpec, Runtime, ServiceDefinition, create_service_app
from shared.sqltypes import utcnow

log = logging.getLogger("ddt.payments")


async def _build_context(runtime: Runtime) -> None:
    settings = runtime.settings
    assert isinstance(settings, PaymentsSettings)
    runtime.components.provide(PaymentsContext.from_settings(settings))


async def resume_reconciliations(runtime: Runtime, stop: asyncio.Event) -> None:
    """Finish, after a crash, the reconciliation runs left applying (then look again now and then)."""
    while not stop.is_set():
        ctx = runtime.components.get(PaymentsContext)
        try:
            await resume_all(runtime.db, ctx, runtime.publisher, ctx.crash)
        except Exception as exc:  # a database hiccup: the next round retries
            log.warning("resuming reconciliation runs failed", extra={"error": repr(exc)})
        try:
            await asyncio.wait_for(stop.wait(), 60)
        except TimeoutError:
            pass


async def insurance_reminders(runtime: Runtime, stop: asyncio.Event) -> None:
    """Every ``reminder_check_seconds``: remind about shipment declarations due, flag the overdue.

    Each stage is given once per declaration (a reminders table), so replicas and restarts
    never remind twice.
    """
    while not stop.is_set():
        ctx = runtime.components.get(PaymentsContext)
        try:
            async with runtime.db.transaction() as session:
                await insurance.check_reminders(session, ctx, runtime.publisher, utcnow())
        except Exception as exc:  # a database hiccup: the next round retries
            log.warning("insurance reminders failed", extra={"error": repr(exc)})
        try:
            await asyncio.wait_for(stop.wait(), ctx.settings.reminder_check_seconds)
        except TimeoutError:
            pass


def definition() -> ServiceDefinition:
    """What the payments service consists of."""
    return ServiceDefinition(
        name="payments",
        title="Diandiantong Payments",
        description="Banks and payment institutions: transaction information for FX, the USD 200,000 rule, "
        "settlement and RMB, statements and reconciliation, the ledger, goods–funds consistency.",
        routers=[
            institutions_router,
            transactions_router,
            evidence_router,
            threshold_router,
            ledger_router,
            statements_router,
            reconciliation_router,
            settlement_router,
            insurance_router,
        ],
        consumers=[ConsumerSpec(name=CONSUMER, topics=TOPICS, handlers=handlers)],
        on_startup=[_build_context],
        background=[resume_reconciliations, insurance_reminders],
        accepted_media_types=("application/json", "text/csv", "text/plain", "application/xml", "text/xml"),
    )


def create_app(settings: PaymentsSettings | None = None) -> FastAPI:
    """The ASGI app (uvicorn calls this as a factory)."""
    return create_service_app(definition(), settings or PaymentsSettings())
