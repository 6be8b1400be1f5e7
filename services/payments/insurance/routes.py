"""``/v1/payments/insurance/…``: policies and buyer limits, shipment declarations, financing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from services.payments.context import PaymentsContextDep
from services.payments.institutions import service as institutions
from services.payments.insurance import service
from services.payments.insurance.repository import InsuranceRepository
from services.payments.insurance.schemas import (
    BuyerLimitIn,
    DeclarationOut,
    DeclareIn,
    FinancingIn,
    FinancingOut,
    PolicyIn,
    PolicyOut,
    PolicyPatch,
    SubmitIn,
)
from shared.identity import CurrentIdentity
from shared.kit.pagination import Page, PageParams
from shared.kit.responses import COMMON_PROBLEMS, problems
from shared.service import DbSession
from shared.sqltypes import utcnow

router = APIRouter(prefix="/v1/payments/insurance", tags=["payments: export credit insurance"])
Id = Annotated[str, Path(min_length=1, max_length=40)]


async def _visible(session: DbSession, identity: CurrentIdentity) -> list[str] | None:
    # Regulators read every enterprise's; others their own or their granted clients'.
    return None if identity.is_regulator else await institutions.visible_enterprises(session, identity)


@router.post(
    "/policies",
    response_model=PolicyOut,
    status_code=201,
    summary="Record a short-term export credit insurance policy with its buyer credit limits",
    responses=problems(*COMMON_PROBLEMS, 409),
)
async def create_policy(
    body: PolicyIn, identity: CurrentIdentity, session: DbSession, ctx: PaymentsContextDep
) -> PolicyOut:
    policy = await service.create_policy(session, identity, body, utcnow())
    return (await service.policies_out(session, ctx, [policy]))[0]


@router.get(
    "/policies",
    response_model=Page[PolicyOut],
    summary="Policies you may read (yours, your granted clients'; regulators: all), with exposure",
    responses=problems(*COMMON_PROBLEMS),
)
async def list_policies(
    identity: CurrentIdentity, session: DbSession, ctx: PaymentsContextDep, page: PageParams
) -> Page[PolicyOut]:
    rows, cursor = await InsuranceRepository(session).policies_page(await _visible(session, identity), page)
    return Page(items=await service.policies_out(session, ctx, rows), next_cursor=cursor)


@router.get(
    "/policies/{policy_id}",
    response_model=PolicyOut,
    summary="One policy with its buyer limits and their exposure",
    responses=problems(*COMMON_PROBLEMS, 404),
)
async def get_policy(
    policy_id: Id, identity: CurrentIdentity, session: DbSession, ctx: PaymentsContextDep
) -> PolicyOut:
    policy = await service.readable_policy(session, identity, policy_id)
    return (await service.policies_out(session, ctx, [policy]))[0]


@router.patch(
    "/policies/{policy_id}",
    response_model=PolicyOut,
    summary="Cancel or reinstate a policy (a cancelled one prepares no more declarations)",
    responses=problems(*COMMON_PROBLEMS, 404),
)
async def patch_policy(
    policy_id: Id, body: PolicyPatch, identity: CurrentIdentity, session: DbSession, ctx: PaymentsContextDep
) -> PolicyOut:
    policy = await service.set_status(session, identity, policy_id, body.status, utcnow())
    return (await service.policies_out(session, ctx, [policy]))[0]


@router.post(
    "/policies/{policy_id}/limits",
    response_model=PolicyOut,
    status_code=201,
    summary="Add a buyer credit limit the insurer approved",
    responses=problems(*COMMON_PROBLEMS, 404, 409),
)
async def add_limit(
    policy_id: Id, body: BuyerLimitIn, identity: CurrentIdentity, session: DbSession, ctx: PaymentsContextDep
) -> PolicyOut:
    await service.put_limit(session, identity, policy_id, body, utcnow(), new=True)
    policy = await service.own_policy(session, identity, policy_id)
    return (await service.policies_out(session, ctx, [policy]))[0]


@router.put(
    "/policies/{policy_id}/limits",
    response_model=PolicyOut,
    summary="Change a buyer's limit (the insurer revised, suspended or cancelled it), or add it",
    responses=problems(*COMMON_PROBLEMS, 404),
)
async def put_limit(
    policy_id: Id, body: BuyerLimitIn, identity: CurrentIdentity, session: DbSession, ctx: PaymentsContextDep
) -> PolicyOut:
    await service.put_limit(session, identity, policy_id, body, utcnow(), new=False)
    policy = await service.own_policy(session, identity, policy_id)
    return (await service.policies_out(session, ctx, [policy]))[0]


@router.get(
    "/declarations",
    response_model=Page[DeclarationOut],
    summary="Shipment declarations (出运申报) prepared from your released exports, with deadlines",
    responses=problems(*COMMON_PROBLEMS),
)
async def list_declarations(
    identity: CurrentIdentity, session: DbSession, ctx: PaymentsContextDep, page: PageParams
) -> Page[DeclarationOut]:
    repo = InsuranceRepository(session)
    rows, cursor = await repo.declarations_page(await _visible(session, identity), page)
    items = await service.declarations_out(session, ctx, rows, service.beijing_day(utcnow()))
    return Page(items=items, next_cursor=cursor)


@router.get(
    "/declarations/{declaration_id}",
    response_model=DeclarationOut,
    summary="One shipment declaration",
    responses=problems(*COMMON_PROBLEMS, 404),
)
async def get_declaration(
    declaration_id: Id, identity: CurrentIdentity, session: DbSession, ctx: PaymentsContextDep
) -> DeclarationOut:
    row = await service.readable_declaration(session, identity, declaration_id)
    return (await service.declarations_out(session, ctx, [row], service.beijing_day(utcnow())))[0]


@router.post(
    "/declarations",
    status_code=201,
    response_model=DeclarationOut,
    summary="Declare a released export to an insured buyer you name",
    description="Customs messages carry no overseas buyer, so an export the platform could not match to "
    "a buyer limit by itself is declared here: the enterprise names the limit; the policy must be in "
    "force and the limit approved and valid on the release day, for the export's destination country.",
    responses=problems(*COMMON_PROBLEMS, 404, 409),
)
async def declare(
    body: DeclareIn, identity: CurrentIdentity, session: DbSession, ctx: PaymentsContextDep
) -> DeclarationOut:
    now = utcnow()
    row = await service.declare(session, identity, body, now)
    return (await service.declarations_out(session, ctx, [row], service.beijing_day(now)))[0]


@router.post(
    "/declarations/{declaration_id}/submit",
    response_model=DeclarationOut,
    summary="Confirm you declared the shipment to the insurer, with its reference",
    responses=problems(*COMMON_PROBLEMS, 404, 409),
)
async def submit(
    declaration_id: Id, body: SubmitIn, identity: CurrentIdentity, session: DbSession, ctx: PaymentsContextDep
) -> DeclarationOut:
    now = utcnow()
    row = await service.submit(session, identity, declaration_id, body, now)
    return (await service.declarations_out(session, ctx, [row], service.beijing_day(now)))[0]


@router.post(
    "/policies/{policy_id}/financings",
    response_model=FinancingOut,
    status_code=201,
    summary="Record policy financing (保单融资): the bank as indemnity payee, or the receivable assigned",
    responses=problems(*COMMON_PROBLEMS, 404, 409),
)
async def record_financing(
    policy_id: Id, body: FinancingIn, identity: CurrentIdentity, session: DbSession
) -> FinancingOut:
    return service.financing_out(await service.record_financing(session, identity, policy_id, body, utcnow()))


@router.get(
    "/policies/{policy_id}/financings",
    response_model=list[FinancingOut],
    summary="Financings of a policy",
    responses=problems(*COMMON_PROBLEMS, 404),
)
async def list_financings(policy_id: Id, identity: CurrentIdentity, session: DbSession) -> list[FinancingOut]:
    policy = await service.readable_policy(session, identity, policy_id)
    return [service.financing_out(r) for r in await InsuranceRepository(session).financings([policy.id])]
