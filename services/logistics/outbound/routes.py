"""``/v1/logistics/outbound`` — B2C orders and B2B transfers: reserve, pick, pack, ship, hold, cancel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from services.logistics.outbound import service, views
from services.logistics.outbound.repository import OutboundRepository
from services.logistics.outbound.rules import Kind, Status
from services.logistics.outbound.schemas import HoldIn, OrderIn, OrderOut, OrderPage, PackageIn, ShipIn
from services.logistics.products import service as products
from services.logistics.warehouses import service as warehouses
from shared.identity import CurrentIdentity
from shared.kit.context import component
from shared.kit.pagination import PageParams
from shared.kit.responses import COMMON_PROBLEMS, problems
from shared.service import DbSession, RuntimeDep
from shared.vault import Vault

router = APIRouter(prefix="/v1/logistics/outbound", tags=["outbound"])
VaultDep = Annotated[Vault, Depends(component(Vault))]


@router.post(
    "",
    status_code=201,
    response_model=OrderOut,
    responses={
        200: {"model": OrderOut, "description": "The order this reference already names (a repeat)"},
        **problems(*COMMON_PROBLEMS, 404, 409),
    },
    summary="Place an outbound order (B2C parcel or B2B transfer)",
)
async def create(
    data: OrderIn,
    identity: CurrentIdentity,
    session: DbSession,
    runtime: RuntimeDep,
    vault: VaultDep,
    response: Response,
) -> OrderOut:
    """Reserves the units at once; without them the order waits as an ``out_of_stock`` exception."""
    order, created = await service.create(session, runtime.publisher, vault, identity, data)
    if not created:
        response.status_code = 200
    return await views.describe(session, vault, order)


@router.get("", response_model=OrderPage, responses=problems(*COMMON_PROBLEMS), summary="Outbound orders")
async def list_orders(
    identity: CurrentIdentity,
    session: DbSession,
    page: PageParams,
    status: Status | None = None,
    kind: Kind | None = None,
) -> OrderPage:
    """An owner's orders, and an operator's orders in its warehouses, newest first."""
    operated = await warehouses.operated_ids(session, identity)
    items, cursor = await OutboundRepository(session).list_page(
        page,
        owner_party_ids=None if operated else products.owners_of(identity),
        warehouse_ids=operated or None,
        status=status,
        kind=kind,
    )
    return views.page_of(items, cursor)


@router.get(
    "/{order_id}", response_model=OrderOut, responses=problems(*COMMON_PROBLEMS, 404), summary="One order"
)
async def read(order_id: str, identity: CurrentIdentity, session: DbSession, vault: VaultDep) -> OrderOut:
    """An order with its lines, picks and address."""
    return await views.describe(session, vault, await service.get(session, identity, order_id))


_STEP = problems(*COMMON_PROBLEMS, 404, 409)


@router.post("/{order_id}/pick", response_model=OrderOut, responses=_STEP, summary="Pick (FIFO by lot)")
async def pick(
    order_id: str, identity: CurrentIdentity, session: DbSession, runtime: RuntimeDep, vault: VaultDep
) -> OrderOut:
    """The warehouse picks the reserved units, oldest receipt first."""
    return await views.describe(
        session, vault, await service.pick(session, runtime.publisher, identity, order_id)
    )


@router.post("/{order_id}/pack", response_model=OrderOut, responses=_STEP, summary="Pack")
async def pack(
    order_id: str,
    data: PackageIn,
    identity: CurrentIdentity,
    session: DbSession,
    runtime: RuntimeDep,
    vault: VaultDep,
) -> OrderOut:
    """Packages and weight."""
    order = await service.pack(session, runtime.publisher, identity, order_id, data)
    return await views.describe(session, vault, order)


@router.post(
    "/{order_id}/ship", response_model=OrderOut, responses=_STEP, summary="Ship with a tracking number"
)
async def ship(
    order_id: str,
    data: ShipIn,
    identity: CurrentIdentity,
    session: DbSession,
    runtime: RuntimeDep,
    vault: VaultDep,
) -> OrderOut:
    """The units leave the warehouse; the last-mile number is tracked from here."""
    order = await service.ship(session, runtime.publisher, identity, order_id, data)
    return await views.describe(session, vault, order)


@router.post("/{order_id}/hold", response_model=OrderOut, responses=_STEP, summary="Put on hold")
async def hold(
    order_id: str,
    data: HoldIn,
    identity: CurrentIdentity,
    session: DbSession,
    runtime: RuntimeDep,
    vault: VaultDep,
) -> OrderOut:
    """The owner or the warehouse pauses an open order (its units stay reserved)."""
    order = await service.hold(session, runtime.publisher, identity, order_id, data)
    return await views.describe(session, vault, order)


@router.post("/{order_id}/release", response_model=OrderOut, responses=_STEP, summary="Release a hold")
async def release(
    order_id: str, identity: CurrentIdentity, session: DbSession, runtime: RuntimeDep, vault: VaultDep
) -> OrderOut:
    """The order resumes where it was held."""
    order = await service.release_hold(session, runtime.publisher, identity, order_id)
    return await views.describe(session, vault, order)


@router.post("/{order_id}/cancel", response_model=OrderOut, responses=_STEP, summary="Cancel before shipping")
async def cancel(
    order_id: str, identity: CurrentIdentity, session: DbSession, runtime: RuntimeDep, vault: VaultDep
) -> OrderOut:
    """The owner cancels; picked units go back to their lots and the reservation is released."""
    return await views.describe(
        session, vault, await service.cancel(session, runtime.publisher, identity, order_id)
    )
