"""Stock counts (盘点) applied as adjustments.

Each counted lot gets an ``adjust`` movement that makes it match the count (units already
picked are not part of a count: they are staged for their orders). When the warehouse then
holds fewer units than open orders reserved, the newest reservations not yet picked give
way first (their orders become out-of-stock exceptions): stock never goes negative and
nothing is sold twice. A count sent again with the same lines answers what it did.
"""

from __future__ import annotations

import json

from sqlalchemy.ext.asyncio import AsyncSession

from services.logistics.counts.models import StockCount
from services.logistics.counts.repository import CountRepository
from services.logistics.counts.schemas import CorrectionOut, CountIn, CountOut
from services.logistics.identifiers import fingerprint
from services.logistics.inbound.problems import KEY_REUSED
from services.logistics.outbound import service as outbound
from services.logistics.stock import service as stock
from services.logistics.stock.repository import StockRepository
from services.logistics.stock.rules import MovementKind, count_correction, deltas, shortfall
from services.logistics.warehouses import service as warehouses
from shared.identity import Identity
from shared.messaging.outbox import EventPublisher
from shared.problems import ProblemError
from shared.sqltypes import utcnow


async def apply_count(
    session: AsyncSession, publisher: EventPublisher, identity: Identity, data: CountIn
) -> CountOut:
    """Apply a count of some lots of a warehouse the caller operates."""
    warehouse = await warehouses.managed(session, identity, data.warehouse_id)
    counts = CountRepository(session)
    digest = fingerprint(data.model_dump(mode="json"))
    earlier = await counts.get(warehouse.id, data.count_key)
    if earlier is not None:
        if earlier.fingerprint != digest:
            raise ProblemError(KEY_REUSED, f"Count {data.count_key!r} was recorded with other lines.")
        return CountOut.model_validate({**json.loads(earlier.result), "replayed": True})
    now = utcnow()
    counted_at = data.counted_at or now
    repo = StockRepository(session)
    lots = {
        line.lot_id: await stock.lot_in(session, warehouse.id, line.lot_id, f"/body/lines/{i}/lot_id")
        for i, line in enumerate(data.lines)
    }
    corrections: list[CorrectionOut] = []
    # Product, then lot order: every transaction takes stock locks in one order.
    for line in sorted(data.lines, key=lambda line: (lots[line.lot_id].product_id, line.lot_id)):
        lot = lots[line.lot_id]
        current = stock.quantities(lot)
        correction = count_correction(current, line.counted, line.counted_unavailable)
        released: list[str] = []
        seq: int | None = None
        if correction.changes:
            sellable_delta = correction.on_hand_delta - correction.unavailable_delta
            position = await repo.position(warehouse.id, lot.product_id)
            assert position is not None
            after = stock.quantities(position).plus(
                deltas(MovementKind.ADJUST, sellable_delta, correction.unavailable_delta).position
            )
            short = shortfall(after)
            if short:
                released = await outbound.release_for_shortage(
                    session, publisher, warehouse.id, lot.product_id, short, identity.party_id
                )
            locked = await repo.lock_lot(lot.id)
            assert locked is not None
            correction = count_correction(stock.quantities(locked), line.counted, line.counted_unavailable)
            sellable_delta = correction.on_hand_delta - correction.unavailable_delta
            if correction.changes:
                recorded = await stock.record(
                    session,
                    stock.MovementRequest(
                        warehouse_id=warehouse.id,
                        product_id=lot.product_id,
                        owner_party_id=lot.owner_party_id,
                        kind=MovementKind.ADJUST,
                        quantity=sellable_delta,
                        unavailable=correction.unavailable_delta,
                        reason="stock_count",
                        movement_key=f"count:{data.count_key}:{lot.id}",
                        reference_kind="count",
                        reference_id=data.count_key,
                        actor_party_id=identity.party_id,
                        occurred_at=counted_at,
                        lot_id=lot.id,
                    ),
                    may_repeat=False,
                )
                seq = recorded.movement.seq
                if sellable_delta > 0:  # found more: orders waiting for the SKU may be served
                    await outbound.serve_waiting(session, publisher, warehouse.id, lot.product_id)
        corrections.append(
            CorrectionOut(
                lot_id=lot.id,
                product_id=lot.product_id,
                on_hand_delta=correction.on_hand_delta,
                unavailable_delta=correction.unavailable_delta,
                movement_seq=seq,
                released_orders=released,
            )
        )
    result = CountOut(
        count_key=data.count_key,
        warehouse_id=warehouse.id,
        replayed=False,
        counted_at=counted_at,
        corrections=corrections,
    )
    counts.add(
        StockCount(
            warehouse_id=warehouse.id,
            count_key=data.count_key,
            fingerprint=digest,
            result=result.model_dump_json(exclude={"replayed"}),
            actor_party_id=identity.party_id,
            counted_at=counted_at,
            recorded_at=now,
        )
    )
    await counts.flush()
    return result
