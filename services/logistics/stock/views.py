"""Stock as callers see it: a SKU across warehouses with its lots and ageing, the ledger,
a warehouse's ageing — each limited to what the caller may see (the goods' owner: its own
SKUs everywhere; an operator: every SKU in its own warehouses)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.logistics.calendar import business_day
from services.logistics.products import service as products
from services.logistics.products.rules import MERCHANT_ROLES, may_act_for
from services.logistics.stock import service as stock
from services.logistics.stock.models import StockLot, StockPosition
from services.logistics.stock.repository import StockRepository
from services.logistics.stock.rules import (
    DEFAULT_BUCKETS,
    Quantities,
    age_days,
    ageing,
    average_age,
    bucket_label,
    bucket_labels,
)
from services.logistics.stock.schemas import (
    AgeingRowOut,
    LotOut,
    MovementOut,
    MovementPage,
    ProductStockOut,
    QuantitiesOut,
    WarehouseAgeingOut,
    WarehouseStockOut,
)
from services.logistics.warehouses import service as warehouses
from shared.identity import Identity
from shared.kit.pagination import PageRequest
from shared.problems import FORBIDDEN, NOT_FOUND, ProblemError
from shared.sqltypes import utcnow


def _q(q: Quantities) -> dict[str, int]:
    return {
        "on_hand": q.on_hand,
        "available": q.available,
        "committed": q.committed,
        "unavailable": q.unavailable,
    }


def _lot_out(lot: StockLot, today: dt.date) -> LotOut:
    days = age_days(lot.received_on, today)
    return LotOut(
        lot_id=lot.id,
        lot_no=lot.lot_no,
        received_on=lot.received_on,
        origin=lot.origin,
        age_days=days,
        age_bucket=bucket_label(days),
        **_q(stock.quantities(lot)),
    )


def warehouse_stock(position: StockPosition, lots: Sequence[StockLot], today: dt.date) -> WarehouseStockOut:
    """One position with its lots and their ageing."""
    lot_stocks = [stock.lot_stock(lot) for lot in lots]
    return WarehouseStockOut(
        warehouse_id=position.warehouse_id,
        average_age_days=average_age(lot_stocks, today),
        ageing=ageing(lot_stocks, today),
        lots=[_lot_out(lot, today) for lot in lots],
        **_q(stock.quantities(position)),
    )


async def product_stock(session: AsyncSession, identity: Identity, product_id: str) -> ProductStockOut:
    """A SKU across the warehouses the caller may see; 404 if it may see none."""
    product = await products.get(session, product_id)
    scope: list[str] | None = None
    if not may_act_for(identity, product.owner_party_id):
        scope = await warehouses.operated_ids(session, identity)
        if not scope:
            raise ProblemError(NOT_FOUND, f"No product {product_id}.")
    found = await stock.product_stock(session, product_id, scope)
    if scope is not None and not found.positions:
        raise ProblemError(NOT_FOUND, f"No product {product_id} in your warehouses.")
    today = business_day(utcnow())
    lots_by_wh: dict[str, list[StockLot]] = defaultdict(list)
    for lot in found.lots:
        lots_by_wh[lot.warehouse_id].append(lot)
    per_warehouse = [warehouse_stock(p, lots_by_wh.get(p.warehouse_id, []), today) for p in found.positions]
    total = Quantities(
        sum(p.on_hand for p in found.positions),
        sum(p.committed for p in found.positions),
        sum(p.unavailable for p in found.positions),
    )
    return ProductStockOut(
        product_id=product.id,
        sku=product.sku,
        owner_party_id=product.owner_party_id,
        as_of=today,
        total=QuantitiesOut(**_q(total)),
        warehouses=per_warehouse,
    )


async def _scope(
    session: AsyncSession, identity: Identity, warehouse_id: str | None
) -> tuple[list[str] | None, list[str] | None]:
    """(warehouses, owners) a ledger or ageing read is limited to."""
    operated = await warehouses.operated_ids(session, identity)
    if warehouse_id is not None and warehouse_id in operated:
        return [warehouse_id], None
    if identity.is_admin:
        return ([warehouse_id] if warehouse_id else None), None
    if identity.has_role(*MERCHANT_ROLES):
        return ([warehouse_id] if warehouse_id else None), products.owners_of(identity)
    if operated and warehouse_id is None:
        return operated, None
    raise ProblemError(FORBIDDEN, "You neither operate this warehouse nor own goods in it.")


async def ledger(
    session: AsyncSession,
    identity: Identity,
    page: PageRequest,
    *,
    warehouse_id: str | None,
    product_id: str | None,
    kind: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> MovementPage:
    """The movement ledger the caller may see, newest first."""
    warehouse_ids, owners = await _scope(session, identity, warehouse_id)
    items, cursor = await StockRepository(session).ledger_page(
        page,
        warehouse_ids=warehouse_ids,
        owner_party_ids=owners,
        product_id=product_id,
        kind=kind,
        since=since,
        until=until,
    )
    return MovementPage(items=[MovementOut.model_validate(m) for m in items], next_cursor=cursor)


async def warehouse_ageing(
    session: AsyncSession, identity: Identity, warehouse_id: str
) -> WarehouseAgeingOut:
    """库龄 of a warehouse: per SKU and in total (an owner sees only its own SKUs)."""
    await warehouses.get(session, warehouse_id)
    _warehouse_ids, owners = await _scope(session, identity, warehouse_id)
    repo = StockRepository(session)
    lots = [lot for lot in await repo.lots_in(warehouse_id) if owners is None or lot.owner_party_id in owners]
    today = business_day(utcnow())
    by_product: dict[str, list[StockLot]] = defaultdict(list)
    for lot in lots:
        by_product[lot.product_id].append(lot)
    rows = []
    for product_id in sorted(by_product):
        lot_stocks = [stock.lot_stock(lot) for lot in by_product[product_id]]
        rows.append(
            AgeingRowOut(
                product_id=product_id,
                owner_party_id=by_product[product_id][0].owner_party_id,
                on_hand=sum(lot.quantities.on_hand for lot in lot_stocks),
                average_age_days=average_age(lot_stocks, today),
                ageing=ageing(lot_stocks, today),
            )
        )
    total = ageing([stock.lot_stock(lot) for lot in lots], today)
    return WarehouseAgeingOut(
        warehouse_id=warehouse_id,
        as_of=today,
        buckets=bucket_labels(DEFAULT_BUCKETS),
        total=total,
        products=rows,
    )
