"""``/v1/logistics/warehouses`` — the overseas warehouse registry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.logistics.reference.countries import CountryCode
from services.logistics.warehouses import service
from services.logistics.warehouses.repository import WarehouseRepository
from services.logistics.warehouses.rules import CertificationLevel, Usage
from services.logistics.warehouses.schemas import WarehouseIn, WarehouseOut, WarehousePage, WarehousePatch
from shared.identity import CurrentIdentity
from shared.kit.pagination import PageParams
from shared.kit.responses import COMMON_PROBLEMS, problems
from shared.service import DbSession, RuntimeDep

router = APIRouter(prefix="/v1/logistics/warehouses", tags=["warehouses"])


@router.post(
    "",
    status_code=201,
    response_model=WarehouseOut,
    responses=problems(*COMMON_PROBLEMS, 409),
    summary="Register an overseas warehouse",
)
async def register(
    data: WarehouseIn, identity: CurrentIdentity, session: DbSession, runtime: RuntimeDep
) -> WarehouseOut:
    """An operator registers its own warehouse; a platform admin registers one for an operator."""
    return service.describe(await service.register(session, runtime.publisher, identity, data))


@router.get("", response_model=WarehousePage, responses=problems(*COMMON_PROBLEMS), summary="The registry")
async def list_warehouses(
    identity: CurrentIdentity,
    session: DbSession,
    page: PageParams,
    country: Annotated[CountryCode | None, Query(description="ISO 3166-1 alpha-2")] = None,
    operator: Annotated[str | None, Query(max_length=64, description="operator party id")] = None,
    usage: Usage | None = None,
    certification_level: CertificationLevel | None = None,
) -> WarehousePage:
    """Every warehouse (profiles are the registry's public part: enterprises choose by them)."""
    items, cursor = await WarehouseRepository(session).list_page(
        page,
        country=country,
        operator_party_id=operator,
        usage=usage,
        certification_level=certification_level,
    )
    return WarehousePage(items=[service.describe(w) for w in items], next_cursor=cursor)


@router.get(
    "/{warehouse_id}",
    response_model=WarehouseOut,
    responses=problems(*COMMON_PROBLEMS, 404),
    summary="One warehouse",
)
async def read(warehouse_id: str, identity: CurrentIdentity, session: DbSession) -> WarehouseOut:
    """A warehouse's profile."""
    return service.describe(await service.get(session, warehouse_id))


@router.patch(
    "/{warehouse_id}",
    response_model=WarehouseOut,
    responses=problems(*COMMON_PROBLEMS, 404),
    summary="Change a warehouse's profile",
)
async def update(
    warehouse_id: str,
    patch: WarehousePatch,
    identity: CurrentIdentity,
    session: DbSession,
    runtime: RuntimeDep,
) -> WarehouseOut:
    """Its operator (or an admin) changes the profile; each change is a new revision."""
    return service.describe(await service.update(session, runtime.publisher, identity, warehouse_id, patch))
