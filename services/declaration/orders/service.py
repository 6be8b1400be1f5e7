"""Accepting an order: ownership of the codes, duplicates, storage and its event."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.declaration.models import OrderDocument
from services.declaration.orders.schemas import OrderIn
from shared.events.declaration import DocumentAccepted, DocumentFacts
from shared.fx import RateTable
from shared.identity import Identity
from shared.messaging.outbox import EventPublisher
from shared.problems import FORBIDDEN, ProblemError, problem_type
from shared.sqltypes import utcnow

DUPLICATE_ORDER = problem_type("-301010", 409, "已存在相同编号的订单 (an order with this number exists)")


async def accept_order(
    session: AsyncSession, publisher: EventPublisher, rates: RateTable, identity: Identity, order: OrderIn
) -> OrderDocument:
    """Store ``order`` for ``identity`` and stage its ``document.accepted`` event."""
    if not (identity.owns_code(order.ebcCode, "ebcCode") or identity.owns_code(order.ebpCode, "ebpCode")):
        raise ProblemError(
            FORBIDDEN, "Neither ebcCode nor ebpCode is registered to the calling party.",
            errors=[{"pointer": "/ebcCode", "detail": "not registered to the caller"}],
        )
    existing = await session.scalar(
        select(OrderDocument.id).where(OrderDocument.ebp_code == order.ebpCode, OrderDocument.order_no == order.orderNo)
    )
    if existing:
        raise ProblemError(DUPLICATE_ORDER, f"Order {order.orderNo} of platform {order.ebpCode} was already filed.")
    now = utcnow()
    conversion = rates.convert(order.goodsValue, order.currency, now.date())
    document = OrderDocument(
        id=str(uuid.uuid4()), party_id=identity.party_id, order_no=order.orderNo, ebp_code=order.ebpCode,
        ebc_code=order.ebcCode, mode=order.mode, direction=order.direction, currency=order.currency,
        goods_value=order.goodsValue, value_cny=conversion.value_cny, cny_rate=conversion.rate,
        country=order.country, status="accepted", created_at=now,
    )
    session.add(document)
    facts = DocumentFacts(
        document_id=document.id, document_kind="order", message_type="CEB311" if order.direction == "import" else "CEB303",
        party_id=identity.party_id, mode=order.mode, direction=order.direction, business_no=order.orderNo,
        ebc_code=order.ebcCode, ebp_code=order.ebpCode, currency=order.currency, value=order.goodsValue,
        value_cny=conversion.value_cny, cny_rate=conversion.rate, country=order.country,
        district=identity.district, park=identity.park,
    )
    await publisher.stage(session, DocumentAccepted(document=facts, accepted_at=now), subject=document.id)
    return document
