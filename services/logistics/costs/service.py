"""Recording, correcting and voiding a shipment's logistics costs."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import ROUND_HALF_UP, Decimal
from typing import cast

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.logistics.context import LogisticsContext
from services.logistics.costs.models import LogisticsCost
from services.logistics.costs.repository import CostRepository
from services.logistics.costs.schemas import CostIn
from services.logistics.shipments import rules as shipment_rules
from services.logistics.shipments.models import Shipment
from services.logistics.shipments.service import readable
from shared.currencies import UnknownCurrency, to_customs, to_iso
from shared.events.logistics import CostKind, LogisticsCostRecorded
from shared.fx import UnknownRate
from shared.identity import Identity
from shared.messaging.outbox import EventPublisher
from shared.problems import CONFLICT, FORBIDDEN, NOT_FOUND, VALIDATION_FAILED, ProblemError

_FEN = Decimal("0.01")


def _may_record(identity: Identity, shipment: Shipment) -> bool:
    """The shipment's enterprise, its waybill carrier or its creator (not a regulator)."""
    if identity.is_regulator:
        return False
    return shipment_rules.owns(shipment_rules.Viewer.of(identity), shipment)


async def record(
    session: AsyncSession,
    publisher: EventPublisher,
    ctx: LogisticsContext,
    identity: Identity,
    shipment_id: str,
    data: CostIn,
    now: dt.datetime,
    *,
    voids: LogisticsCost | None = None,
) -> LogisticsCost:
    """Store a cost (converted to CNY at the customs monthly rate) and publish it."""
    shipment, _legs, allowed = await readable(session, identity, shipment_id)
    if allowed is not None or not _may_record(identity, shipment):
        raise ProblemError(FORBIDDEN, "Only the shipment's enterprise or its carrier records its costs.")
    repo = CostRepository(session)
    if data.supersedes:
        earlier = await repo.get(data.supersedes)
        if earlier is None or earlier.shipment_id != shipment_id:
            raise ProblemError(
                NOT_FOUND,
                "No such cost record on this shipment.",
                errors=[{"pointer": "/body/supersedes", "detail": "unknown record"}],
            )
        if earlier.voided:
            raise ProblemError(CONFLICT, "A voided record cannot be corrected.")
    try:
        iso, customs = to_iso(data.currency), to_customs(data.currency)
    except UnknownCurrency as exc:
        raise ProblemError(
            VALIDATION_FAILED, str(exc), errors=[{"pointer": "/body/currency", "detail": str(exc)}]
        ) from None
    try:
        rate, month = ctx.rates.rate(customs, data.incurred_on)
    except UnknownRate as exc:
        raise ProblemError(
            VALIDATION_FAILED, str(exc), errors=[{"pointer": "/body/currency", "detail": str(exc)}]
        ) from None
    amount = Decimal(0) if voids is not None else data.amount
    row = LogisticsCost(
        id=str(uuid.uuid4()),
        shipment_id=shipment_id,
        kind=data.kind,
        amount=amount,
        currency=iso,
        amount_cny=(amount * rate).quantize(_FEN, rounding=ROUND_HALF_UP),
        cny_rate=rate,
        rate_month=month,
        incurred_on=data.incurred_on,
        recorded_by_party_id=identity.party_id,
        supersedes=data.supersedes,
        voided=voids is not None,
        note=data.note,
        created_at=now,
    )
    repo.add(row)
    try:
        async with session.begin_nested():
            await repo.flush()
    except IntegrityError:
        raise ProblemError(CONFLICT, "That record was already corrected or voided.") from None
    await publisher.stage(
        session,
        LogisticsCostRecorded(
            cost_id=row.id,
            shipment_id=shipment_id,
            kind=data.kind,
            amount=amount,
            currency=iso,
            amount_cny=row.amount_cny,
            cny_rate=rate,
            incurred_on=data.incurred_on.isoformat(),
            enterprise_party_id=shipment.enterprise_party_id,
            ebc_code=shipment.ebc_code,
            recorded_by_party_id=identity.party_id,
            supersedes=data.supersedes,
            voided=row.voided,
            occurred_at=now,
        ),
        subject=shipment_id,
    )
    return row


async def void(
    session: AsyncSession,
    publisher: EventPublisher,
    ctx: LogisticsContext,
    identity: Identity,
    shipment_id: str,
    cost_id: str,
    note: str | None,
    now: dt.datetime,
) -> LogisticsCost:
    """Withdraw a cost record: a void record supersedes it."""
    earlier = await CostRepository(session).get(cost_id)
    if earlier is None or earlier.shipment_id != shipment_id:
        raise ProblemError(NOT_FOUND, "No such cost record on this shipment.")
    data = CostIn(
        kind=cast(CostKind, earlier.kind),
        amount=Decimal("0.01"),
        currency=earlier.currency,  # type: ignore[arg-type]
        incurred_on=earlier.incurred_on,
        supersedes=cost_id,
        note=note,
    )
    return await record(session, publisher, ctx, identity, shipment_id, data, now, voids=earlier)


async def listing(
    session: AsyncSession, identity: Identity, shipment_id: str
) -> tuple[list[LogisticsCost], set[str]]:
    """A shipment's cost records (for those it belongs to as a whole) and which were superseded."""
    shipment, _legs, allowed = await readable(session, identity, shipment_id)
    if allowed is not None:
        raise ProblemError(NOT_FOUND, "No such shipment.")
    repo = CostRepository(session)
    return await repo.of_shipment(shipment_id), await repo.superseded(shipment_id)
