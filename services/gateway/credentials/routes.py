"""A party's own credentials: list, create (secret shown once), revoke."""

from __future__ import annotations

from fastapi import APIRouter

from services.gateway.caller import CurrentCaller
from services.gateway.components import GatewayDep
from services.gateway.credentials.schemas import (
    CredentialCreated,
    CredentialIn,
    CredentialList,
    CredentialOut,
)
from services.gateway.credentials.service import CredentialService
from shared.service import DbSession

router = APIRouter(prefix="/v1/credentials", tags=["credentials"])


@router.get("", response_model=CredentialList, summary="Own credentials")
async def list_credentials(caller: CurrentCaller, session: DbSession, gw: GatewayDep) -> CredentialList:
    """The calling party's credentials (never their secrets)."""
    return CredentialList(items=await CredentialService(session, gw.sealer).list(caller.party_id))


@router.post("", status_code=201, response_model=CredentialCreated, summary="New own credential")
async def create_credential(
    data: CredentialIn, caller: CurrentCaller, session: DbSession, gw: GatewayDep
) -> CredentialCreated:
    """For rotation: at most two active. The secret is in this response only."""
    return await CredentialService(session, gw.sealer).create(caller.party_id, data.label)


@router.delete("/{key_id}", response_model=CredentialOut, summary="Revoke an own credential")
async def revoke_credential(
    key_id: str, caller: CurrentCaller, session: DbSession, gw: GatewayDep
) -> CredentialOut:
    """Immediate; another party's key id answers 404."""
    return await CredentialService(session, gw.sealer).revoke(caller.party_id, key_id)
