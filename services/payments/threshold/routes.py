"""``/v1/payments/thresholds`` and ``/v1/payments/safe-lists``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from services.payments.context import PaymentsContextDep
from services.payments.institutions import service as institutions
from services.payments.threshold import service
from services.payments.threshold.repository import ThresholdRepository
from services.payments.threshold.schemas import CounterOut, ListImportOut, SafeListEntryOut
from shared.events.payments import ThresholdState
from shared.identity import CurrentIdentity
from shared.kit.pagination import Page, PageParams
from shared.kit.responses import COMMON_PROBLEMS, problems
from shared.problems import BAD_REQUEST, ProblemError
from shared.service import DbSession, RuntimeDep
from shared.sqltypes import utcnow

router = APIRouter(prefix="/v1/payments", tags=["payments: USD 200,000 rule"])
_CSV_EXAMPLE = (
    "month,list,uscc,name,amount_usd\n2026-11,over,91320700MA0000001X,连云港某某跨境电商有限公司,215000.00\n"
)


@router.get(
    "/thresholds",
    response_model=Page[CounterOut],
    summary="USD 200,000 counters: yours (enterprise), your granted clients' (institution), all (regulator)",
    responses=problems(*COMMON_PROBLEMS),
)
async def list_counters(
    identity: CurrentIdentity,
    session: DbSession,
    page: PageParams,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    state: ThresholdState | None = None,
    enterprise: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[CounterOut]:
    institution = None
    enterprises: list[str] | None
    if identity.is_regulator:
        enterprises = [enterprise] if enterprise else None
    else:
        enterprises = await institutions.visible_enterprises(session, identity)
        if institutions.institution_kind(identity) is not None:
            institution = identity.party_id
        if enterprise is not None:
            enterprises = [e for e in enterprises if e == enterprise]
    repo = ThresholdRepository(session)
    rows, cursor = await repo.counters_page(
        page,
        enterprises=enterprises,
        institution=institution,
        year=year,
        state=state.value if state else None,
    )
    items = []
    for row in rows:
        registration = await repo.registration(row.enterprise_party_id)
        items.append(
            CounterOut(
                enterprise_party_id=row.enterprise_party_id,
                institution_party_id=row.institution_party_id,
                year=row.year,
                receipts_usd=row.receipts_usd,
                payments_usd=row.payments_usd,
                state=ThresholdState(row.state),
                safe_list=row.safe_list,
                safe_list_month=row.safe_list_month,
                registered_on=registration.registered_on if registration else None,
                updated_at=row.updated_at,
            )
        )
    return Page(items=items, next_cursor=cursor)


@router.post(
    "/safe-lists",
    response_model=list[ListImportOut],
    summary="Import SAFE's monthly list(s) (over USD 200,000, and the 180k–200k warning list) as CSV",
    description="CSV `month,list,uscc,name[,amount_usd]`; `list` is `over` or `warning`. A listed firm's "
    "counter at your institution takes the list's state for that year. Re-importing a month's list "
    "replaces it. Any malformed line refuses the whole file, naming the line.",
    openapi_extra={
        "requestBody": {"content": {"text/csv": {"schema": {"type": "string"}, "example": _CSV_EXAMPLE}}}
    },
    responses=problems(*COMMON_PROBLEMS, 400, 415),
)
async def import_list(
    request: Request,
    identity: CurrentIdentity,
    session: DbSession,
    ctx: PaymentsContextDep,
    runtime: RuntimeDep,
) -> list[ListImportOut]:
    institutions.require_institution(identity)
    try:
        text = (await request.body()).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ProblemError(BAD_REQUEST, "The list must be UTF-8 text.") from None
    results = await service.import_safe_list(
        session, runtime.publisher, ctx, identity.party_id, text, utcnow()
    )
    return [
        ListImportOut(
            month=r.month, list_type=r.list_type, rows=r.rows, matched=r.matched, unknown_usccs=r.unknown
        )
        for r in results
    ]


@router.get(
    "/safe-lists",
    response_model=list[SafeListEntryOut],
    summary="The SAFE list entries you imported, newest month first",
    responses=problems(*COMMON_PROBLEMS),
)
async def list_lists(identity: CurrentIdentity, session: DbSession) -> list[SafeListEntryOut]:
    institutions.require_institution(identity)
    rows = await ThresholdRepository(session).lists_of(identity.party_id)
    return [
        SafeListEntryOut(
            month=r.month,
            list_type=r.list_type,
            uscc=r.uscc,
            name=r.name,
            amount_usd=r.amount_usd,
            enterprise_party_id=r.enterprise_party_id,
            imported_at=r.imported_at,
        )
        for r in rows
    ]
