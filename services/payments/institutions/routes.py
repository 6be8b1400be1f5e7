"""``/v1/payments/institution(s)``, ``/v1/payments/relations`` and ``/v1/payments/grants``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from services.payments.context import PaymentsContextDep
from services.payments.institutions import service
from services.payments.institutions.repository import InstitutionRepository
from services.payments.institutions.schemas import (
    ClientIn,
    ClientOut,
    GrantChangeOut,
    GrantIn,
    GrantOut,
    InstitutionIn,
    InstitutionOut,
)
from shared.events.payments import InstitutionKind
from shared.identity import CurrentIdentity
from shared.kit.pagination import Page, PageParams
from shared.kit.responses import COMMON_PROBLEMS, problems
from shared.service import DbSession
from shared.sqltypes import utcnow

router = APIRouter(prefix="/v1/payments", tags=["payments: institutions"])
PartyId = Annotated[str, Path(min_length=1, max_length=64)]


@router.put(
    "/institution",
    response_model=InstitutionOut,
    summary="Register or update the caller's own bank or payment-institution profile (licence data)",
    responses=problems(*COMMON_PROBLEMS),
)
async def put_institution(
    body: InstitutionIn, identity: CurrentIdentity, session: DbSession
) -> InstitutionOut:
    now = utcnow()
    row = await service.register(session, identity, body, now)
    return service.institution_out(row, now.date())


@router.get(
    "/institution",
    response_model=InstitutionOut,
    summary="The caller's own institution profile",
    responses=problems(*COMMON_PROBLEMS, 404),
)
async def get_own_institution(identity: CurrentIdentity, session: DbSession) -> InstitutionOut:
    return service.institution_out(await service.own_profile(session, identity), utcnow().date())


@router.get(
    "/institutions",
    response_model=Page[InstitutionOut],
    summary="Banks and payment institutions on the platform, with their licence data",
    responses=problems(*COMMON_PROBLEMS),
)
async def list_institutions(
    _identity: CurrentIdentity,
    session: DbSession,
    page: PageParams,
    kind: InstitutionKind | None = None,
) -> Page[InstitutionOut]:
    rows, cursor = await InstitutionRepository(session).institutions_page(page, kind.value if kind else None)
    today = utcnow().date()
    return Page(items=[service.institution_out(r, today) for r in rows], next_cursor=cursor)


@router.get(
    "/institutions/{party_id}",
    response_model=InstitutionOut,
    summary="One institution's public profile",
    responses=problems(*COMMON_PROBLEMS, 404),
)
async def get_institution(
    party_id: PartyId, _identity: CurrentIdentity, session: DbSession
) -> InstitutionOut:
    return service.institution_out(await service.profile(session, party_id), utcnow().date())


@router.post(
    "/institution/clients",
    response_model=ClientOut,
    status_code=201,
    summary="Record that the caller serves an enterprise, with its accounts (sealed, shown masked)",
    responses=problems(*COMMON_PROBLEMS, 404, 409),
)
async def add_client(
    body: ClientIn, identity: CurrentIdentity, session: DbSession, ctx: PaymentsContextDep
) -> ClientOut:
    return await service.add_client(session, ctx, identity, body, utcnow())


@router.get(
    "/institution/clients",
    response_model=Page[ClientOut],
    summary="The enterprises the caller serves",
    responses=problems(*COMMON_PROBLEMS),
)
async def list_clients(identity: CurrentIdentity, session: DbSession, page: PageParams) -> Page[ClientOut]:
    service.require_institution(identity)
    rows, cursor = await InstitutionRepository(session).relations_page(page, institution=identity.party_id)
    return Page(items=await service.clients_out(session, rows), next_cursor=cursor)


@router.delete(
    "/institution/clients/{enterprise_party_id}",
    status_code=204,
    response_class=Response,
    summary="The caller no longer serves this enterprise",
    responses=problems(*COMMON_PROBLEMS, 404),
)
async def end_client(enterprise_party_id: PartyId, identity: CurrentIdentity, session: DbSession) -> Response:
    await service.end_client(session, identity, enterprise_party_id, utcnow())
    return Response(status_code=204)


@router.get(
    "/relations",
    response_model=Page[ClientOut],
    summary="The institutions that serve the calling enterprise",
    responses=problems(*COMMON_PROBLEMS),
)
async def list_relations(identity: CurrentIdentity, session: DbSession, page: PageParams) -> Page[ClientOut]:
    rows, cursor = await InstitutionRepository(session).relations_page(page, enterprise=identity.party_id)
    return Page(items=await service.clients_out(session, rows), next_cursor=cursor)


@router.post(
    "/grants",
    response_model=GrantOut,
    status_code=201,
    summary="Let an institution that serves you read your transaction information",
    responses=problems(*COMMON_PROBLEMS),
)
async def post_grant(body: GrantIn, identity: CurrentIdentity, session: DbSession) -> GrantOut:
    row = await service.grant(session, identity, body.institution_party_id, utcnow())
    return (await service.grants_out(session, [row]))[0]


@router.get(
    "/grants",
    response_model=Page[GrantOut],
    summary="Your grants (an institution: the grants made to it)",
    responses=problems(*COMMON_PROBLEMS),
)
async def list_grants(
    identity: CurrentIdentity,
    session: DbSession,
    page: PageParams,
    status: Annotated[str | None, Query(pattern=r"^(active|revoked)$")] = None,
) -> Page[GrantOut]:
    repo = InstitutionRepository(session)
    if service.institution_kind(identity) is not None:
        rows, cursor = await repo.grants_page(page, institution=identity.party_id, status=status)
    else:
        rows, cursor = await repo.grants_page(page, enterprise=identity.party_id, status=status)
    return Page(items=await service.grants_out(session, rows), next_cursor=cursor)


@router.get(
    "/grants/history",
    response_model=list[GrantChangeOut],
    summary="Every grant and revocation you made, oldest first",
    responses=problems(*COMMON_PROBLEMS),
)
async def grant_history(identity: CurrentIdentity, session: DbSession) -> list[GrantChangeOut]:
    rows = await InstitutionRepository(session).grant_history(identity.party_id)
    return [
        GrantChangeOut(
            institution_party_id=r.institution_party_id,
            action=r.action,
            at=r.at,
            credential_id=r.credential_id,
            request_id=r.request_id,
        )
        for r in rows
    ]


@router.delete(
    "/grants/{institution_party_id}",
    status_code=204,
    response_class=Response,
    summary="Revoke an institution's access to your transaction information",
    responses=problems(*COMMON_PROBLEMS, 404),
)
async def delete_grant(
    institution_party_id: PartyId, identity: CurrentIdentity, session: DbSession
) -> Response:
    await service.revoke(session, identity, institution_party_id, utcnow())
    return Response(status_code=204)
