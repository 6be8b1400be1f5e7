"""Outbound use cases: orders in, reservation, pick/pack/ship, holds, cancellation, and the
out-of-stock orders served again when stock comes in.

**Reservation** is the concurrency point. Each line reserves its units with one guarded
update of its SKU's position (``stock.record`` of a ``reserve`` movement): two orders can
never take the same unit and stock never goes negative. An order reserves all its lines or
none (a savepoint undoes the lines already reserved); an order that cannot is kept as an
``out_of_stock`` exception and served again, oldest first, when units come in. Lines are
reserved in product order, so transactions always lock positions in one order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.logistics.identifiers import fingerprint, new_id
from services.logistics.outbound import rules
from services.logistics.outbound.models import OutboundLine, OutboundOrder, OutboundPick
from services.logistics.outbound.problems import ORDER_REFERENCE_TAKEN, ORDER_STATE
from services.logistics.outbound.repository import OutboundRepository
from services.logistics.outbound.schemas import HoldIn, OrderIn, PackageIn, ShipIn
from services.logistics.products import service as products
from services.logistics.products.problems import NOT_THE_OWNER
from services.logistics.products.rules import may_act_for
from services.logistics.stock import service as stock
from services.logistics.stock.rules import MovementKind, StockRefused, allocate_fifo
from services.logistics.warehouses import service as warehouses
from shared.events.warehousing import OutboundChanged
from shared.identity import Identity
from shared.messaging.outbox import EventPublisher
from shared.problems import CONFLICT, NOT_FOUND, ProblemError
from shared.sqltypes import utcnow
from shared.vault import Sealed, Vault

#: Out-of-stock orders tried again per SKU each time units come in (the rest wait for the next).
SERVE_BATCH = 200


def _associated(order_id: str) -> str:
    return f"logistics.outbound:{order_id}"


def seal_address(vault: Vault, order_id: str, ship_to: dict[str, object]) -> tuple[str, bytes]:
    """The buyer's address, encrypted and bound to its order."""
    sealed = vault.seal_json(ship_to, _associated(order_id))
    return sealed.key_id, sealed.blob


def open_address(vault: Vault, order: OutboundOrder) -> dict[str, object] | None:
    """The buyer's address in clear (for the owner and the warehouse only)."""
    if order.ship_to_sealed is None or order.ship_to_key is None:
        return None
    value = vault.open_json(Sealed(order.ship_to_key, order.ship_to_sealed), _associated(order.id))
    return value if isinstance(value, dict) else None


async def _stage(session: AsyncSession, publisher: EventPublisher, order: OutboundOrder, units: int) -> None:
    await publisher.stage(
        session,
        OutboundChanged(
            party_id=order.owner_party_id,
            order_id=order.id,
            reference=order.reference,
            warehouse_id=order.warehouse_id,
            kind=order.kind,  # type: ignore[arg-type]  # the column holds Kind values
            status=rules.shown_status(order.status, order.hold_reason),  # type: ignore[arg-type]
            exception=order.exception,  # type: ignore[arg-type]
            hold_reason=order.hold_reason,
            destination_country=order.destination_country,
            units=units,
            carrier_code=order.carrier_code,
            tracking_number=order.tracking_number,
            shipment_id=order.shipment_id,
            revision=order.revision,
            occurred_at=order.updated_at,
        ),
        subject=order.id,
    )


def _touch(order: OutboundOrder, now: dt.datetime) -> None:
    order.revision += 1
    order.updated_at = now


def _line_key(order_id: str, line_no: int, what: str, attempt: int | None = None) -> str:
    return f"outbound:{order_id}:{line_no}:{what}" + (f":{attempt}" if attempt is not None else "")


async def _reserve_lines(
    session: AsyncSession, order: OutboundOrder, lines: Sequence[OutboundLine], actor: str, now: dt.datetime
) -> bool:
    """Reserve every line of the order, or none; True when reserved."""
    ordered = sorted(lines, key=lambda line: line.product_id)

    async def reserve_all() -> None:
        for line in ordered:
            await stock.record(
                session,
                stock.MovementRequest(
                    warehouse_id=order.warehouse_id,
                    product_id=line.product_id,
                    owner_party_id=order.owner_party_id,
                    kind=MovementKind.RESERVE,
                    quantity=line.quantity,
                    reason="order",
                    movement_key=_line_key(order.id, line.line_no, "reserve", order.revision),
                    reference_kind="outbound",
                    reference_id=order.id,
                    actor_party_id=actor,
                    occurred_at=now,
                ),
                may_repeat=False,
            )

    try:
        if len(ordered) == 1:
            await reserve_all()  # one guarded update: refused means nothing changed
        else:
            async with session.begin_nested():
                await reserve_all()
    except stock.StockShort:
        return False
    for line in ordered:
        line.reserved = line.quantity
    return True


async def create(
    session: AsyncSession, publisher: EventPublisher, vault: Vault, identity: Identity, data: OrderIn
) -> tuple[OutboundOrder, bool]:
    """Take an order and reserve its units; (order, created). The same reference with the same
    content answers the stored order (created False); with other content it is a 409."""
    owner = products.acting_owner(identity, data.owner_party_id)
    repo = OutboundRepository(session)
    digest = fingerprint(data.model_dump(mode="json", exclude={"owner_party_id"}))
    existing = await repo.by_reference(owner, data.reference)
    if existing is not None:
        if existing.fingerprint != digest:
            raise ProblemError(
                ORDER_REFERENCE_TAKEN,
                f"Reference {data.reference!r} already names order {existing.id} with other content.",
                errors=[{"pointer": "/body/reference", "detail": "taken"}],
                order_id=existing.id,
            )
        return existing, False
    warehouse = await warehouses.open_for_business(session, data.warehouse_id)
    found = await products.resolve_skus(
        session, owner, [line.sku for line in data.lines], "/body/lines/{i}/sku"
    )
    now = utcnow()
    order_id = new_id("out")
    ship_to = data.ship_to.model_dump(mode="json") if data.ship_to else None
    key_id, blob = seal_address(vault, order_id, ship_to) if ship_to else (None, None)
    country = data.ship_to.country if data.ship_to else data.destination_country
    assert country is not None
    hold = (
        "merchant_hold"
        if data.hold
        else rules.automatic_hold(data.kind, country, data.ship_to.postal_code if data.ship_to else None)
    )
    order = repo.add(
        OutboundOrder(
            id=order_id,
            owner_party_id=owner,
            created_by_party_id=identity.party_id,
            warehouse_id=warehouse.id,
            reference=data.reference,
            channel_order_no=data.channel_order_no,
            kind=data.kind,
            status="exception",
            exception=None,
            hold_reason=hold,
            destination_country=country,
            destination_facility=data.destination_facility,
            ship_to_key=key_id,
            ship_to_sealed=blob,
            ship_to_masked=_masked(data) if data.ship_to else None,
            service_level=data.service_level,
            packages=0,
            replaces_return_id=None,
            fingerprint=digest,
            revision=1,
            created_at=now,
            updated_at=now,
        )
    )
    lines = [
        OutboundLine(
            order_id=order_id,
            line_no=i + 1,
            product_id=found[line.sku].id,
            quantity=line.quantity,
            reserved=0,
        )
        for i, line in enumerate(data.lines)
    ]
    session.add_all(lines)
    try:
        await repo.flush()
    except IntegrityError:
        raise ProblemError(
            CONFLICT, f"Order {data.reference!r} is being created concurrently; retry."
        ) from None
    if await _reserve_lines(session, order, lines, identity.party_id, now):
        order.status, order.reserved_at = "reserved", now
    else:
        order.exception = "out_of_stock"
    await session.flush()
    await _stage(session, publisher, order, sum(line.quantity for line in lines))
    return order, True


def _masked(data: OrderIn) -> str:
    assert data.ship_to is not None
    to = data.ship_to
    postal = rules.mask_postal_code(to.postal_code)
    return f"{rules.mask_name(to.name)}, {to.city[:1]}***, {postal} {to.country}".replace("  ", " ")


async def get(session: AsyncSession, identity: Identity, order_id: str) -> OutboundOrder:
    """The order, for its owner (or a platform acting for it) and the warehouse's operator; else 404."""
    order = await OutboundRepository(session).get(order_id)
    if order is None:
        raise ProblemError(NOT_FOUND, f"No order {order_id}.")
    if may_act_for(identity, order.owner_party_id) or identity.is_admin:
        return order
    if order.warehouse_id in await warehouses.operated_ids(session, identity):
        return order
    raise ProblemError(NOT_FOUND, f"No order {order_id}.")


async def _for_operator(session: AsyncSession, identity: Identity, order_id: str) -> OutboundOrder:
    order = await get(session, identity, order_id)
    await warehouses.managed(session, identity, order.warehouse_id)
    locked = await OutboundRepository(session).lock(order.id)
    assert locked is not None
    return locked


def _refuse(order: OutboundOrder, action: str) -> ProblemError:
    shown = rules.shown_status(order.status, order.hold_reason)
    return ProblemError(ORDER_STATE, f"Order {order.id} is {shown}; it cannot be {action}.", status_now=shown)


async def pick(
    session: AsyncSession, publisher: EventPublisher, identity: Identity, order_id: str
) -> OutboundOrder:
    """Allocate the reserved units to lots, oldest receipt first (FIFO)."""
    order = await _for_operator(session, identity, order_id)
    if order.status == "picked":
        return order
    if not rules.may_pick(order.status, order.hold_reason):
        raise _refuse(order, "picked")
    repo = OutboundRepository(session)
    now = utcnow()
    for line in sorted(await repo.lines(order.id), key=lambda line: line.product_id):
        lots = await stock.lots(session, order.warehouse_id, line.product_id)
        try:
            plan = allocate_fifo([stock.lot_stock(lot) for lot in lots], line.quantity)
        except StockRefused as exc:  # the invariant guarantees the units; a failure is a bug to see
            raise ProblemError(CONFLICT, f"Order {order.id} line {line.line_no}: {exc}.") from exc
        for lot_id, units in plan:
            await stock.record(
                session,
                stock.MovementRequest(
                    warehouse_id=order.warehouse_id,
                    product_id=line.product_id,
                    owner_party_id=order.owner_party_id,
                    kind=MovementKind.ALLOCATE,
                    quantity=units,
                    reason="pick",
                    movement_key=_line_key(order.id, line.line_no, f"pick:{lot_id}", order.revision),
                    reference_kind="outbound",
                    reference_id=order.id,
                    actor_party_id=identity.party_id,
                    occurred_at=now,
                    lot_id=lot_id,
                ),
                may_repeat=False,
            )
            session.add(OutboundPick(order_id=order.id, line_no=line.line_no, lot_id=lot_id, quantity=units))
    order.status, order.picked_at = "picked", now
    _touch(order, now)
    await session.flush()
    await _stage(session, publisher, order, await _units(session, order))
    return order


async def _units(session: AsyncSession, order: OutboundOrder) -> int:
    return sum(line.quantity for line in await OutboundRepository(session).lines(order.id))


async def pack(
    session: AsyncSession, publisher: EventPublisher, identity: Identity, order_id: str, data: PackageIn
) -> OutboundOrder:
    """Packed: how many packages, how heavy."""
    order = await _for_operator(session, identity, order_id)
    if order.status == "packed":
        return order
    if not rules.may_pack(order.status, order.hold_reason):
        raise _refuse(order, "packed")
    now = utcnow()
    order.status, order.packed_at = "packed", now
    order.packages, order.weight_g = data.packages, data.weight_g
    _touch(order, now)
    await session.flush()
    await _stage(session, publisher, order, await _units(session, order))
    return order


async def ship(
    session: AsyncSession, publisher: EventPublisher, identity: Identity, order_id: str, data: ShipIn
) -> OutboundOrder:
    """The units leave: stock goes down lot by lot, the tracking number becomes a tracked leg.

    Shipping again with the same number changes nothing; with another number it is a 409.
    """
    order = await _for_operator(session, identity, order_id)
    if order.status == "shipped":
        if (order.carrier_code, order.tracking_number) == (data.carrier_code, data.tracking_number):
            return order
        raise _refuse(order, f"shipped again as {data.tracking_number}")
    if not rules.may_ship(order.status, order.hold_reason):
        raise _refuse(order, "shipped")
    repo = OutboundRepository(session)
    now = utcnow()
    shipped_at = data.shipped_at or now
    for p in sorted(await repo.picks(order.id), key=lambda p: (p.line_no, p.lot_id)):
        line = next(line for line in await repo.lines(order.id) if line.line_no == p.line_no)
        await stock.record(
            session,
            stock.MovementRequest(
                warehouse_id=order.warehouse_id,
                product_id=line.product_id,
                owner_party_id=order.owner_party_id,
                kind=MovementKind.SHIP,
                quantity=p.quantity,
                reason=f"{order.kind}_shipment",
                movement_key=_line_key(order.id, p.line_no, f"ship:{p.lot_id}"),
                reference_kind="outbound",
                reference_id=order.id,
                actor_party_id=identity.party_id,
                occurred_at=shipped_at,
                lot_id=p.lot_id,
            ),
            may_repeat=False,
        )
    from services.logistics.outbound import shipping  # the part-1 link, kept in one place

    order.carrier_code, order.tracking_number, order.transport_mode = (
        data.carrier_code,
        data.tracking_number,
        data.transport_mode,
    )
    if data.packages:
        order.packages = data.packages
    if data.weight_g:
        order.weight_g = data.weight_g
    order.packages = order.packages or 1
    order.status, order.shipped_at = "shipped", shipped_at
    order.packed_at = order.packed_at or shipped_at
    order.shipment_id = await shipping.track_last_mile(session, publisher, order)
    _touch(order, now)
    await session.flush()
    await _stage(session, publisher, order, await _units(session, order))
    return order


async def hold(
    session: AsyncSession, publisher: EventPublisher, identity: Identity, order_id: str, data: HoldIn
) -> OutboundOrder:
    """Pause an open order (the owner or the warehouse); it keeps its reservation."""
    order = await get(session, identity, order_id)
    locked = await OutboundRepository(session).lock(order.id)
    assert locked is not None
    order = locked
    if order.hold_reason == data.reason:
        return order
    if not rules.may_hold(order.status):
        raise _refuse(order, "held")
    now = utcnow()
    order.hold_reason = data.reason
    _touch(order, now)
    await session.flush()
    await _stage(session, publisher, order, await _units(session, order))
    return order


async def release_hold(
    session: AsyncSession, publisher: EventPublisher, identity: Identity, order_id: str
) -> OutboundOrder:
    """Resume a held order where it was."""
    order = await get(session, identity, order_id)
    locked = await OutboundRepository(session).lock(order.id)
    assert locked is not None
    order = locked
    if order.hold_reason is None:
        return order
    now = utcnow()
    order.hold_reason = None
    _touch(order, now)
    await session.flush()
    await _stage(session, publisher, order, await _units(session, order))
    return order


async def cancel(
    session: AsyncSession, publisher: EventPublisher, identity: Identity, order_id: str
) -> OutboundOrder:
    """The owner cancels an order that has not shipped: picked units go back to their lots and
    the reservation is released (then orders waiting for the units are served)."""
    order = await get(session, identity, order_id)
    if not may_act_for(identity, order.owner_party_id):
        raise ProblemError(NOT_THE_OWNER, "Only the goods' owner cancels an order.")
    locked = await OutboundRepository(session).lock(order.id)
    assert locked is not None
    order = locked
    if order.status == "cancelled":
        return order
    if not rules.may_cancel(order.status):
        raise _refuse(order, "cancelled")
    now = utcnow()
    freed = await _give_back(session, order, identity.party_id, now, reason="cancelled")
    order.status, order.cancelled_at = "cancelled", now
    order.exception = None
    _touch(order, now)
    await session.flush()
    await _stage(session, publisher, order, await _units(session, order))
    for product_id in freed:
        await serve_waiting(session, publisher, order.warehouse_id, product_id)
    return order


async def _give_back(
    session: AsyncSession, order: OutboundOrder, actor: str, now: dt.datetime, *, reason: str
) -> list[str]:
    """Undo picks and release reservations of an order; the products whose units were freed."""
    repo = OutboundRepository(session)
    lines = {line.line_no: line for line in await repo.lines(order.id)}
    for p in sorted(await repo.picks(order.id), key=lambda p: (lines[p.line_no].product_id, p.lot_id)):
        await stock.record(
            session,
            stock.MovementRequest(
                warehouse_id=order.warehouse_id,
                product_id=lines[p.line_no].product_id,
                owner_party_id=order.owner_party_id,
                kind=MovementKind.DEALLOCATE,
                quantity=p.quantity,
                reason=reason,
                movement_key=_line_key(order.id, p.line_no, f"unpick:{p.lot_id}", order.revision),
                reference_kind="outbound",
                reference_id=order.id,
                actor_party_id=actor,
                occurred_at=now,
                lot_id=p.lot_id,
            ),
            may_repeat=False,
        )
    freed = []
    for line in sorted(lines.values(), key=lambda line: line.product_id):
        if line.reserved:
            await stock.record(
                session,
                stock.MovementRequest(
                    warehouse_id=order.warehouse_id,
                    product_id=line.product_id,
                    owner_party_id=order.owner_party_id,
                    kind=MovementKind.RELEASE,
                    quantity=line.reserved,
                    reason=reason,
                    movement_key=_line_key(order.id, line.line_no, "release", order.revision),
                    reference_kind="outbound",
                    reference_id=order.id,
                    actor_party_id=actor,
                    occurred_at=now,
                ),
                may_repeat=False,
            )
            line.reserved = 0
            freed.append(line.product_id)
    return freed


async def serve_waiting(
    session: AsyncSession,
    publisher: EventPublisher,
    warehouse_id: str,
    product_id: str,
    limit: int = SERVE_BATCH,
) -> int:
    """Units of a SKU came in (or were given back): reserve for the orders waiting for them,
    oldest first; how many were served."""
    repo = OutboundRepository(session)
    served = 0
    for waiting in await repo.waiting_for(warehouse_id, product_id, limit):
        order = await repo.lock(waiting.id)
        if order is None or order.status != "exception":
            continue
        now = utcnow()
        if await _reserve_lines(session, order, await repo.lines(order.id), "platform", now):
            order.status, order.reserved_at, order.exception = "reserved", now, None
            _touch(order, now)
            await session.flush()
            await _stage(session, publisher, order, await _units(session, order))
            served += 1
    return served


async def release_for_shortage(
    session: AsyncSession,
    publisher: EventPublisher,
    warehouse_id: str,
    product_id: str,
    shortage: int,
    actor: str,
) -> list[str]:
    """A count found fewer units than are reserved: the newest reservations not yet picked give
    way (their orders become out-of-stock exceptions); the orders released."""
    from services.logistics.stock.rules import releases_for

    repo = OutboundRepository(session)
    candidates = await repo.unallocated_reservations(warehouse_id, product_id)
    released = releases_for(shortage, [(f"{o}:{n}", units) for o, n, units in candidates])
    orders = sorted({key.split(":")[0] for key, _units in released})
    now = utcnow()
    for order_id in orders:
        order = await repo.lock(order_id)
        assert order is not None
        await _give_back(session, order, actor, now, reason="count_shortage")
        order.status, order.exception, order.reserved_at = "exception", "out_of_stock", None
        _touch(order, now)
        await session.flush()
        await _stage(session, publisher, order, await _units(session, order))
    return orders
