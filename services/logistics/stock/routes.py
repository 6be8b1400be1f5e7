"""``/v1/logistics/stock`` — stock by SKU × warehouse × lot, the movement ledger, ageing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.logistics.stock import service as stock
from services.logistics.stock import views
from services.logistics.stock.rules import MovementKind
from services.logistics.stock.schemas import (
    MovementIn,
    MovementOut,
    MovementPage,
    MovementRecordedOut,
    ProductStockOut,
    WarehouseAgeingOut,
)
from services.logistics.warehouses import service as warehouses
from shared.identity import CurrentIdentity
from shared.kit.pagination import PageParams
from shared.kit.params import IsoDateTime
from shared.kit.responses import COMMON_PROBLEMS, problems
from shared.service import DbSession
from shared.sqltypes import utcnow

router = APIRouter(prefix="/v1/logistics/stock", tags=["stock"])


@router.get(
    "/products/{product_id}",
    response_model=ProductStockOut,
    responses=problems(*COMMON_PROBLEMS, 404),
    summary="A SKU across warehouses, by lot, with ageing",
)
async def product_stock(product_id: str, identity: CurrentIdentity, session: DbSession) -> ProductStockOut:
    """The owner sees every warehouse; an operator its own warehouses."""
    return await views.product_stock(session, identity, product_id)


@router.get(
    "/movements",
    response_model=MovementPage,
    responses=problems(*COMMON_PROBLEMS),
    summary="The movement ledger",
)
async def ledger(
    identity: CurrentIdentity,
    session: DbSession,
    page: PageParams,
    warehouse_id: Annotated[str | None, Query(max_length=32)] = None,
    product_id: Annotated[str | None, Query(max_length=32)] = None,
    kind: MovementKind | None = None,
    since: Annotated[IsoDateTime | None, Query(description="occurred at or after")] = None,
    until: Annotated[IsoDateTime | None, Query(description="occurred before")] = None,
) -> MovementPage:
    """Every movement (库存流水) the caller may see, newest first."""
    return await views.ledger(
        session,
        identity,
        page,
        warehouse_id=warehouse_id,
        product_id=product_id,
        kind=kind,
        since=since,
        until=until,
    )


@router.post(
    "/movements",
    status_code=201,
    response_model=MovementRecordedOut,
    responses=problems(*COMMON_PROBLEMS, 404, 409),
    summary="Report a hold, release or write-off",
)
async def report(data: MovementIn, identity: CurrentIdentity, session: DbSession) -> MovementRecordedOut:
    """The operator holds units (quarantine, damage found in storage), releases them, or
    writes unavailable units off. The same ``movement_key`` sent again answers the stored
    movement; with different content it is a 409."""
    warehouse = await warehouses.managed(session, identity, data.warehouse_id)
    lot = await stock.lot_in(session, warehouse.id, data.lot_id)
    recorded = await stock.record(
        session,
        stock.MovementRequest(
            warehouse_id=warehouse.id,
            product_id=lot.product_id,
            owner_party_id=lot.owner_party_id,
            kind=MovementKind(data.kind),
            quantity=data.quantity,
            reason=data.reason,
            movement_key=data.movement_key,
            reference_kind="operator",
            reference_id=None,
            actor_party_id=identity.party_id,
            occurred_at=data.occurred_at or utcnow(),
            lot_id=lot.id,
            pointer="/body/quantity",
        ),
    )
    return MovementRecordedOut(
        replayed=recorded.replayed, movement=MovementOut.model_validate(recorded.movement)
    )


@router.get(
    "/ageing",
    response_model=WarehouseAgeingOut,
    responses=problems(*COMMON_PROBLEMS, 404),
    summary="Stock ageing (库龄) of a warehouse",
)
async def warehouse_ageing(
    identity: CurrentIdentity, session: DbSession, warehouse_id: Annotated[str, Query(max_length=32)]
) -> WarehouseAgeingOut:
    """On-hand units by age bucket per SKU; an owner sees only its own SKUs."""
    return await views.warehouse_ageing(session, identity, warehouse_id)
