"""``/v1/payments/statements``: camt.053/054, MT940/942 and CSV in; statements and entries out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from services.payments.context import PaymentsContextDep
from services.payments.institutions import service as institutions
from services.payments.statements import service
from services.payments.statements.models import Statement
from services.payments.statements.repository import StatementRepository
from services.payments.statements.schemas import EntryOut, StatementOut
from shared.identity import CurrentIdentity
from shared.kit.pagination import Page, PageParams
from shared.kit.responses import COMMON_PROBLEMS, problems
from shared.service import DbSession, RuntimeDep
from shared.sqltypes import utcnow

router = APIRouter(prefix="/v1/payments", tags=["payments: statements"])
StatementId = Annotated[str, Path(min_length=1, max_length=40)]
_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/xml": {
                "schema": {"type": "string"},
                "example": '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">…',
            },
            "text/plain": {
                "schema": {"type": "string"},
                "example": ":20:STMT1\n:25:BKCHCNBJ95H/6217000012345678\n…",
            },
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}


def _out(row: Statement) -> StatementOut:
    return StatementOut(
        id=row.id,
        institution_party_id=row.institution_party_id,
        enterprise_party_id=row.enterprise_party_id,
        account=row.account_masked,
        format=row.format,
        kind=row.kind,
        statement_ref=row.statement_ref,
        currency=row.currency,
        opening_balance=row.opening_balance,
        closing_balance=row.closing_balance,
        from_date=row.from_date,
        to_date=row.to_date,
        entries=row.entries,
        received_at=row.received_at,
    )


@router.post(
    "/statements",
    response_model=list[StatementOut],
    status_code=201,
    summary="Send a statement file: camt.053/054 (XML), MT940/MT942 (text/plain) or the platform's CSV",
    description="Validated against ISO's schemas (camt), checked by the platform: opening + booked entries "
    "= closing, declared totals, entry currencies; a refusal names the entry. The same file, or a statement "
    "saying the same again, is stored once (200); another statement under a received id is 409.",
    openapi_extra=_BODY,
    responses={
        200: {"description": "Received before: the stored statements", "model": list[StatementOut]},
        **problems(*COMMON_PROBLEMS, 409, 413, 415),
    },
)
async def receive(
    request: Request,
    response: Response,
    identity: CurrentIdentity,
    session: DbSession,
    ctx: PaymentsContextDep,
    runtime: RuntimeDep,
) -> list[StatementOut]:
    data = await request.body()
    received = await service.receive(
        session, ctx, runtime.publisher, identity, data, request.headers.get("content-type", ""), utcnow()
    )
    if not received.created:
        response.status_code = 200
    return [_out(row) for row in received.statements]


@router.get(
    "/statements",
    response_model=Page[StatementOut],
    summary="Statements of the enterprises you may read (yours, or those that granted you)",
    responses=problems(*COMMON_PROBLEMS),
)
async def list_statements(
    identity: CurrentIdentity, session: DbSession, page: PageParams
) -> Page[StatementOut]:
    visible = await institutions.visible_enterprises(session, identity)
    rows, cursor = await StatementRepository(session).page_of(page, enterprises=visible, institution=None)
    return Page(items=[_out(r) for r in rows], next_cursor=cursor)


@router.get(
    "/statements/{statement_id}",
    response_model=StatementOut,
    summary="One statement",
    responses=problems(*COMMON_PROBLEMS, 404),
)
async def get_statement(
    statement_id: StatementId, identity: CurrentIdentity, session: DbSession
) -> StatementOut:
    return _out(await service.readable(session, identity, statement_id))


@router.get(
    "/statements/{statement_id}/entries",
    response_model=Page[EntryOut],
    summary="A statement's entries, in order, with their reconciliation state",
    responses=problems(*COMMON_PROBLEMS, 404),
)
async def entries(
    statement_id: StatementId,
    identity: CurrentIdentity,
    session: DbSession,
    page: PageParams,
    state: Annotated[str | None, Query(pattern=r"^(unmatched|partial|matched|review)$")] = None,
) -> Page[EntryOut]:
    await service.readable(session, identity, statement_id)
    rows, cursor = await StatementRepository(session).entries_page(page, statement_id, state)
    return Page(
        items=[
            EntryOut(
                seq=r.seq,
                amount=r.amount,
                credit=r.credit,
                currency=r.currency,
                status=r.status,
                booking_date=r.booking_date,
                value_date=r.value_date,
                bank_reference=r.bank_reference,
                end_to_end_ids=r.end_to_end_ids.split() if r.end_to_end_ids else [],
                remittance=r.remittance,
                counterparty=r.counterparty_masked,
                reversal=r.reversal,
                matched_amount=r.matched_amount,
                match_state=r.match_state,
            )
            for r in rows
        ],
        next_cursor=cursor,
    )
