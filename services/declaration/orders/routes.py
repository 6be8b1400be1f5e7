"""HTTP routes of the order intake."""

from __future__ import annotations

from fastapi import APIRouter

from services.declaration.orders.schemas import OrderIn, OrderOut
from services.declaration.orders.service import accept_order
from services.declaration.models import OrderDocument
from shared.identity import CurrentIdentity
from shared.service import DbSession, RuntimeDep

router = APIRouter(prefix="/v1/customs", tags=["customs orders"])


def _out(doc: OrderDocument) -> OrderOut:
    return OrderOut(
        id=doc.id, orderNo=doc.order_no, ebpCode=doc.ebp_code, ebcCode=doc.ebc_code, mode=doc.mode,
        direction=doc.direction, currency=doc.currency, goodsValue=doc.goods_value, valueCny=doc.value_cny,
        cnyRate=doc.cny_rate, country=doc.country, status=doc.status, createdAt=doc.created_at,
    )


@router.post("/orders", status_code=201, response_model=OrderOut)
async def file_order(order: OrderIn, identity: CurrentIdentity, session: DbSession, runtime: RuntimeDep) -> OrderOut:
    """File an order; its acceptance is published as ``ddt.declaration.document.accepted``."""
    document = await accept_order(session, runtime.publisher, runtime.extras["rates"], identity, order)
    return _out(document)
