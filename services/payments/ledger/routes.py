"""``/v1/payments/balances`` and ``/v1/payments/ledger/…``: an enterprise's books."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.payments.institutions import service as institutions
from services.payments.ledger import service
from services.payments.ledger.repository import LedgerRepository
from services.payments.ledger.schemas import AccountOut, BalanceOut, TransferOut
from shared.identity import CurrentIdentity
from shared.kit.pagination import Page, PageParams
from shared.kit.responses import COMMON_PROBLEMS, problems
from shared.service import DbSession

router = APIRouter(prefix="/v1/payments", tags=["payments: ledger"])
Enterprise = Annotated[str | None, Query(max_length=64, description="default: yourself")]


@router.get(
    "/balances",
    response_model=BalanceOut,
    summary="Declared, received, settled (FX, RMB) and outstanding, per currency",
    responses=problems(*COMMON_PROBLEMS, 404),
)
async def balances(
    identity: CurrentIdentity, session: DbSession, enterprise: Enterprise = None
) -> BalanceOut:
    party = enterprise or identity.party_id
    await institutions.require_access(session, identity, party)
    return await service.balances(session, party)


@router.get(
    "/ledger/accounts",
    response_model=list[AccountOut],
    summary="The enterprise's ledger accounts and their four balances (minor units)",
    responses=problems(*COMMON_PROBLEMS, 404),
)
async def accounts(
    identity: CurrentIdentity, session: DbSession, enterprise: Enterprise = None
) -> list[AccountOut]:
    party = enterprise or identity.party_id
    await institutions.require_access(session, identity, party)
    return [
        AccountOut(
            code=a.code,
            ledger=a.ledger,
            name=a.name,
            debits_pending=a.debits_pending,
            debits_posted=a.debits_posted,
            credits_pending=a.credits_pending,
            credits_posted=a.credits_posted,
        )
        for a in await LedgerRepository(session).accounts_of(party)
    ]


@router.get(
    "/ledger/transfers",
    response_model=Page[TransferOut],
    summary="The enterprise's transfers, newest first (immutable; pending, posted, voided)",
    responses=problems(*COMMON_PROBLEMS, 404),
)
async def transfers(
    identity: CurrentIdentity, session: DbSession, page: PageParams, enterprise: Enterprise = None
) -> Page[TransferOut]:
    party = enterprise or identity.party_id
    await institutions.require_access(session, identity, party)
    repo = LedgerRepository(session)
    ids = [a.id for a in await repo.accounts_of(party)]
    rows, cursor = await repo.transfers_page(page, ids)
    return Page(
        items=[
            TransferOut(
                id=r.id,
                debit_account_id=r.debit_account_id,
                credit_account_id=r.credit_account_id,
                amount=r.amount,
                ledger=r.ledger,
                code=r.code,
                flag=r.flag,
                pending_id=r.pending_id,
                reference=r.reference,
                created_at=r.created_at,
            )
            for r in rows
        ],
        next_cursor=cursor,
    )
