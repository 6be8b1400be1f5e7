"""``/v1/payments/transactions`` and ``/v1/payments/registrations``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from services.payments.context import PaymentsContextDep
from services.payments.institutions import service as institutions
from services.payments.transactions import service
from services.payments.transactions.repository import TransactionRepository
from services.payments.transactions.schemas import (
    RegistrationIn,
    RegistrationOut,
    TransactionIn,
    TransactionOut,
)
from shared.events.payments import FlowDirection, TransactionStatus
from shared.identity import CurrentIdentity
from shared.kit.pagination import Page, PageParams
from shared.kit.responses import COMMON_PROBLEMS, problems
from shared.service import DbSession, RuntimeDep
from shared.sqltypes import utcnow

router = APIRouter(prefix="/v1/payments", tags=["payments: transactions"])
TransactionId = Annotated[str, Path(min_length=1, max_length=40)]


class VoidIn(BaseModel):
    """Why the institution withdraws the report."""

    reason: str = Field(min_length=1, max_length=300)


@router.post(
    "/transactions",
    response_model=TransactionOut,
    status_code=201,
    summary="Report a receipt (exports) or payment (imports) for an enterprise you serve",
    description="201 when new; 200 with the stored answer when the same `reference` is reported again with "
    "the same content; 409 when with other content. A transaction that would take an unregistered "
    "enterprise to USD 200,000 or beyond is **held** (status `held`), not applied.",
    responses={
        200: {"description": "A replay: the stored transaction", "model": TransactionOut},
        **problems(*COMMON_PROBLEMS, 404, 409),
    },
)
async def report(
    body: TransactionIn,
    identity: CurrentIdentity,
    session: DbSession,
    ctx: PaymentsContextDep,
    runtime: RuntimeDep,
    response: Response,
) -> TransactionOut:
    out, created = await service.report(session, ctx, runtime.publisher, identity, body, utcnow())
    if not created:
        response.status_code = 200
    return out


@router.get(
    "/transactions",
    response_model=Page[TransactionOut],
    summary="Transactions you may read: your own (enterprise), or those of enterprises that granted you",
    responses=problems(*COMMON_PROBLEMS),
)
async def list_transactions(
    identity: CurrentIdentity,
    session: DbSession,
    page: PageParams,
    enterprise: Annotated[str | None, Query(max_length=64)] = None,
    status: TransactionStatus | None = None,
    direction: FlowDirection | None = None,
) -> Page[TransactionOut]:
    visible = await institutions.visible_enterprises(session, identity)
    if enterprise is not None:
        visible = [e for e in visible if e == enterprise]
    rows, cursor = await TransactionRepository(session).page_of(
        page,
        enterprises=visible,
        institution=None,
        status=status.value if status else None,
        direction=direction.value if direction else None,
    )
    return Page(items=[await service.transaction_out(session, r) for r in rows], next_cursor=cursor)


@router.get(
    "/transactions/{transaction_id}",
    response_model=TransactionOut,
    summary="One transaction (the enterprise, or an institution it granted)",
    responses=problems(*COMMON_PROBLEMS, 404),
)
async def get_transaction(
    transaction_id: TransactionId, identity: CurrentIdentity, session: DbSession
) -> TransactionOut:
    return await service.transaction_out(session, await service.readable(session, identity, transaction_id))


@router.post(
    "/transactions/{transaction_id}/release",
    response_model=TransactionOut,
    summary="Apply a held transaction once the enterprise registered (名录)",
    responses=problems(*COMMON_PROBLEMS, 404, 409),
)
async def release(
    transaction_id: TransactionId,
    identity: CurrentIdentity,
    session: DbSession,
    ctx: PaymentsContextDep,
    runtime: RuntimeDep,
) -> TransactionOut:
    txn = await service.own(session, identity, transaction_id)
    await service.release(session, ctx, runtime.publisher, txn, utcnow())
    return await service.transaction_out(session, txn)


@router.post(
    "/transactions/{transaction_id}/void",
    response_model=TransactionOut,
    summary="Withdraw a held or applied transaction you reported",
    responses=problems(*COMMON_PROBLEMS, 404, 409),
)
async def void(
    transaction_id: TransactionId,
    body: VoidIn,
    identity: CurrentIdentity,
    session: DbSession,
    ctx: PaymentsContextDep,
    runtime: RuntimeDep,
) -> TransactionOut:
    txn = await service.own(session, identity, transaction_id)
    await service.void(session, ctx, runtime.publisher, txn, body.reason, utcnow())
    return await service.transaction_out(session, txn)


@router.post(
    "/registrations",
    response_model=RegistrationOut,
    summary="Record that an enterprise you serve registered in the trade-FX directory (名录)",
    description="Recorded once; the enterprise's held transactions are released.",
    responses=problems(*COMMON_PROBLEMS),
)
async def register(
    body: RegistrationIn,
    identity: CurrentIdentity,
    session: DbSession,
    ctx: PaymentsContextDep,
    runtime: RuntimeDep,
) -> RegistrationOut:
    return await service.register(session, ctx, runtime.publisher, identity, body, utcnow())
