"""``/v1/payments/transactions/{id}/settlements`` and ``/v1/payments/settlements``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from services.payments.institutions import service as institutions
from services.payments.settlement import service
from services.payments.settlement.repository import SettlementRepository
from services.payments.settlement.schemas import SettlementIn, SettlementOut
from services.payments.transactions import service as transactions
from shared.identity import CurrentIdentity
from shared.kit.pagination import Page, PageParams
from shared.kit.responses import COMMON_PROBLEMS, problems
from shared.service import DbSession, RuntimeDep
from shared.sqltypes import utcnow

router = APIRouter(prefix="/v1/payments", tags=["payments: settlement"])
TransactionId = Annotated[str, Path(min_length=1, max_length=40)]


@router.post(
    "/transactions/{transaction_id}/settlements",
    response_model=SettlementOut,
    status_code=201,
    summary="Record the FX settlement (结汇) or cross-border RMB settlement of a receipt you reported",
    responses={
        200: {"description": "A replay: the stored settlement", "model": SettlementOut},
        **problems(*COMMON_PROBLEMS, 404, 409),
    },
)
async def settle(
    transaction_id: TransactionId,
    body: SettlementIn,
    response: Response,
    identity: CurrentIdentity,
    session: DbSession,
    runtime: RuntimeDep,
) -> SettlementOut:
    txn = await transactions.own(session, identity, transaction_id)
    row, created = await service.record(session, runtime.publisher, identity, txn, body, utcnow())
    if not created:
        response.status_code = 200
    return service.out(row)


@router.get(
    "/settlements",
    response_model=Page[SettlementOut],
    summary="Settlements of the enterprises you may read (yours, or those that granted you)",
    responses=problems(*COMMON_PROBLEMS),
)
async def list_settlements(
    identity: CurrentIdentity,
    session: DbSession,
    page: PageParams,
    transaction_id: Annotated[str | None, Query(max_length=40)] = None,
) -> Page[SettlementOut]:
    visible = await institutions.visible_enterprises(session, identity)
    rows, cursor = await SettlementRepository(session).page_of(page, visible, transaction_id)
    return Page(items=[service.out(r) for r in rows], next_cursor=cursor)
