"""A party's own credentials: list, create (secret shown once), revoke."""

from __future__ import annotations

from fastapi import APIRouter

from services.gateway.caller import CurrentCaller
from services.gateway.components import GatewayDep
from services.gateway.credentials import service
from services.gateway.credentials.schemas import CredentialCreated, CredentialIn, CredentialOut
from shared.kit.pagination import Page, PageParams
from shared.service import DbSession

router = APIRouter(prefix="/v1/credentials", tags=["credentials"])


@router.get("", response_model=Page[CredentialOut], summary="Own credentials")
async def list_credentials(
    caller: CurrentCaller, session: DbSession, page: PageParams
) -> Page[CredentialOut]:
    """The calling party's credentials, newest first (never their secrets)."""
    return await service.page(session, caller.party_id, page)


@router.post("", status_code=201, response_model=CredentialCreated, summary="New own credential")
async def create_credential(
    data: CredentialIn, caller: CurrentCaller, session: DbSession, gw: GatewayDep
) -> CredentialCreated:
    """For rotation: at most two active. The secret is in this response only."""
    return await service.create(session, gw.sealer, caller.party_id, data.label)


@router.delete("/{key_id}", response_model=CredentialOut, summary="Revoke an own credential")
async def revoke_credential(key_id: str, caller: CurrentCaller, session: DbSession) -> CredentialOut:
    """Immediate; another party's key id answers 404."""
    return await service.revoke(session, caller.party_id, key_id)
