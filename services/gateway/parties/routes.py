"""Registry routes: onboarding, suspension, codes, delegations (admins); own entry (everyone)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.gateway.caller import CurrentCaller
from services.gateway.components import GatewayDep
from services.gateway.credentials import service as credentials
from services.gateway.credentials.schemas import CredentialCreated, CredentialIn, CredentialOut
from services.gateway.parties import service
from services.gateway.parties.roles import Role
from services.gateway.parties.schemas import (
    CodeIn,
    CodeKindsIn,
    DelegationIn,
    MilestoneFilingIn,
    MilestoneFilingOut,
    PartyIn,
    PartyOut,
    PartyPatch,
    StatusChangeIn,
)
from shared.kit.pagination import Page, PageParams, PageRequest, page_request_for
from shared.problems import NOT_FOUND, ProblemError
from shared.service import DbSession, RuntimeDep

router = APIRouter(prefix="/v1/parties", tags=["parties"])

#: ``?cursor=&limit=``; ``after`` is the cursor's old name (deprecated), pages of at most 200 as before.
PartyPageParams = Annotated[PageRequest, Depends(page_request_for(alias="after", max_limit=200))]


@router.get("/me", response_model=PartyOut, summary="Own registry entry")
async def read_me(caller: CurrentCaller, session: DbSession) -> PartyOut:
    """The calling party's registry entry, with its codes and delegations."""
    return await service.view(session, await service.require(session, caller.party_id))


@router.get("/me/milestone-filing", response_model=MilestoneFilingOut, summary="Own milestone filing choices")
async def read_milestone_filing(caller: CurrentCaller, session: DbSession) -> MilestoneFilingOut:
    """How the track files CEB507/CEB509/CEB513 for the calling logistics firm."""
    return await service.milestone_filing(session, caller.party_id)


@router.put("/me/milestone-filing", response_model=MilestoneFilingOut, summary="Choose milestone filing")
async def set_milestone_filing(
    choice: MilestoneFilingIn, caller: CurrentCaller, session: DbSession, runtime: RuntimeDep
) -> MilestoneFilingOut:
    """Per message type: ``off``, ``review`` (prepared, released by the firm) or ``auto``."""
    return await service.set_milestone_filing(session, runtime.publisher, caller.party_id, choice)


@router.get("", response_model=Page[PartyOut], summary="List parties (admins and regulators)")
async def list_parties(
    _caller: CurrentCaller,
    session: DbSession,
    page: PartyPageParams,
    status: Annotated[str | None, Query(pattern="^(active|suspended)$")] = None,
    role: Role | None = None,
) -> Page[PartyOut]:
    """Parties by id, by status and role; the matrix limits this to platform admins and regulators."""
    return await service.page(session, page, status=status, role=role)


@router.post("", status_code=201, response_model=PartyOut, summary="Onboard a party")
async def onboard(data: PartyIn, session: DbSession, runtime: RuntimeDep) -> PartyOut:
    """Register a party with its roles and enterprise codes (each code to one party only)."""
    return await service.view(session, await service.onboard(session, runtime.publisher, data))


@router.get("/{party_id}", response_model=PartyOut, summary="One registry entry")
async def read_party(party_id: str, caller: CurrentCaller, session: DbSession) -> PartyOut:
    """Admins and regulators read any entry; every other party only its own (others: 404)."""
    if party_id != caller.party_id and not caller.identity.has_role(Role.PLATFORM_ADMIN, Role.REGULATOR):
        raise ProblemError(NOT_FOUND, "No such party.")
    return await service.view(session, await service.require(session, party_id))


@router.patch("/{party_id}", response_model=PartyOut, summary="Change a registry entry")
async def update_party(party_id: str, patch: PartyPatch, session: DbSession, runtime: RuntimeDep) -> PartyOut:
    """Name, district, park, roles."""
    return await service.view(session, await service.update(session, runtime.publisher, party_id, patch))


@router.post("/{party_id}/suspend", response_model=PartyOut, summary="Suspend a party")
async def suspend(party_id: str, change: StatusChangeIn, session: DbSession, runtime: RuntimeDep) -> PartyOut:
    """Effective on the party's next request: its signatures and tokens are refused (auth.suspended_party)."""
    party = await service.set_status(session, runtime.publisher, party_id, "suspended", change.reason)
    return await service.view(session, party)


@router.post("/{party_id}/reactivate", response_model=PartyOut, summary="Reactivate a party")
async def reactivate(
    party_id: str, change: StatusChangeIn, session: DbSession, runtime: RuntimeDep
) -> PartyOut:
    """The party's credentials work again from the next request."""
    party = await service.set_status(session, runtime.publisher, party_id, "active", change.reason)
    return await service.view(session, party)


@router.post(
    "/{party_id}/codes", status_code=201, response_model=PartyOut, summary="Register an enterprise code"
)
async def add_code(party_id: str, item: CodeIn, session: DbSession) -> PartyOut:
    """The code must be free or already the party's (then the kinds are added to the ones it has);
    every kind must be allowed by the party's roles."""
    return await service.view(session, await service.add_code(session, party_id, item))


@router.put("/{party_id}/codes/{code}", response_model=PartyOut, summary="Change a code's kinds")
async def set_code_kinds(party_id: str, code: str, data: CodeKindsIn, session: DbSession) -> PartyOut:
    """Replace the kinds the party's code is used as (e.g. ``["ebpCode", "ebcCode"]`` for 自营)."""
    return await service.view(
        session, await service.set_code_kinds(session, party_id, code, [str(k) for k in data.kinds])
    )


@router.delete("/{party_id}/codes/{code}", response_model=PartyOut, summary="Unregister an enterprise code")
async def remove_code(party_id: str, code: str, session: DbSession) -> PartyOut:
    """The code is free again."""
    return await service.view(session, await service.remove_code(session, party_id, code))


@router.post(
    "/{party_id}/delegations",
    status_code=201,
    response_model=PartyOut,
    summary="Let an agent file for an enterprise",
)
async def add_delegation(party_id: str, data: DelegationIn, session: DbSession) -> PartyOut:
    """The agent (``party_id``: a platform, broker, carrier …) may then file the listed message
    types for the enterprise; its identity lists the enterprise in ``on_behalf_of``."""
    agent = await service.delegate(session, party_id, data.merchant_party_id, list(data.message_types))
    return await service.view(session, agent)


@router.delete(
    "/{party_id}/delegations/{merchant_party_id}", response_model=PartyOut, summary="Withdraw a delegation"
)
async def remove_delegation(party_id: str, merchant_party_id: str, session: DbSession) -> PartyOut:
    """From the next request on, the agent may no longer file for the enterprise."""
    return await service.view(session, await service.undelegate(session, party_id, merchant_party_id))


@router.get(
    "/{party_id}/credentials",
    response_model=Page[CredentialOut],
    summary="List a party's credentials",
)
async def list_party_credentials(party_id: str, session: DbSession, page: PageParams) -> Page[CredentialOut]:
    """Admins see any party's credentials, newest first (key ids, labels, status — never secrets)."""
    await service.require(session, party_id)
    return await credentials.page(session, party_id, page)


@router.post(
    "/{party_id}/credentials",
    status_code=201,
    response_model=CredentialCreated,
    summary="Issue a credential to a party",
)
async def issue_credential(
    party_id: str, data: CredentialIn, session: DbSession, gw: GatewayDep
) -> CredentialCreated:
    """For onboarding: the secret is in this response only; hand it to the party securely."""
    return await credentials.create(session, gw.sealer, party_id, data.label)


@router.delete(
    "/{party_id}/credentials/{key_id}", response_model=CredentialOut, summary="Revoke a party's credential"
)
async def revoke_party_credential(party_id: str, key_id: str, session: DbSession) -> CredentialOut:
    """Immediate: the next request signed with it gets auth.key_revoked."""
    return await credentials.revoke(session, party_id, key_id)
