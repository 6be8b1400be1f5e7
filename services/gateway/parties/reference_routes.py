"""Reference data a client needs to fill in a registry entry (whole catalogues: a few dozen rows)."""

from __future__ import annotations

from fastapi import APIRouter

from services.gateway.parties.reference import District, Park, list_districts, list_parks
from services.gateway.parties.roles import ENTERPRISE_CODE_KINDS_BY_ROLE
from services.gateway.parties.schemas import RoleCodeKinds

router = APIRouter(prefix="/v1/reference", tags=["reference data"])


@router.get("/districts", response_model=list[District], summary="Districts, counties and functional zones")
async def districts() -> tuple[District, ...]:
    """Ids to use as a party's ``district``."""
    return list_districts()


@router.get("/parks", response_model=list[Park], summary="Industrial parks and incubation bases")
async def parks() -> tuple[Park, ...]:
    """Ids to use as a party's ``park``."""
    return list_parks()


@router.get(
    "/roles", response_model=RoleCodeKinds, summary="Roles and the enterprise-code kinds each may claim"
)
async def roles() -> RoleCodeKinds:
    """Role → claimable code kinds."""
    return RoleCodeKinds(
        {str(role): sorted(str(k) for k in kinds) for role, kinds in ENTERPRISE_CODE_KINDS_BY_ROLE.items()}
    )
