"""Reference data a client needs to fill in a registry entry."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from services.gateway.parties.reference import list_districts, list_parks
from services.gateway.parties.roles import ENTERPRISE_CODE_KINDS_BY_ROLE

router = APIRouter(prefix="/v1/reference", tags=["reference data"])


@router.get("/districts", summary="Districts, counties and functional zones")
async def districts() -> list[dict[str, Any]]:
    """Ids to use as a party's ``district``."""
    return [d.model_dump(mode="json") for d in list_districts()]


@router.get("/parks", summary="Industrial parks and incubation bases")
async def parks() -> list[dict[str, Any]]:
    """Ids to use as a party's ``park``."""
    return [p.model_dump(mode="json") for p in list_parks()]


@router.get("/roles", summary="Roles and the enterprise-code kinds each may claim")
async def roles() -> dict[str, list[str]]:
    """Role → claimable code kinds."""
    return {str(role): sorted(str(k) for k in kinds) for role, kinds in ENTERPRISE_CODE_KINDS_BY_ROLE.items()}
