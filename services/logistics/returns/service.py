"""Return use cases: open (within the window), ship back on its own leg, receive and grade
into an overseas warehouse, or bring back to China and have the owner file the customs
return; cancel; exchange (a linked reshipment).

**Stock.** Received units are put away through the stock ledger only: a lot per return
(``RET-<id>``, received today, origin ``return``) takes a ``return_sellable`` and a
``return_unsellable`` movement per line, with keys derived from the return and the line,
so a repeated receipt is stored once and stock never goes negative.

**Back in China.** The customs return is the owner's signed declaration (CEB213 for an
export, CEB625 for an import), which the declaration service already takes, checks and
sends (docs/declaration.md, "Cancellations and returns"). This module never files it: it
publishes :class:`~shared.events.warehousing.ReturnFilingDue` to the owner (a webhook),
and when customs accepts the filing the declaration service's ``InventoryReturned`` for the
same inventory marks the return ``filed`` (:func:`record_customs_return`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.logistics.calendar import business_day
from services.logistics.context import LogisticsContext
from services.logistics.identifiers import fingerprint, new_id
from services.logistics.outbound import service as outbound
from services.logistics.outbound.models import OutboundOrder
from services.logistics.products import service as products
from services.logistics.products.repository import ProductRepository
from services.logistics.products.rules import may_act_for
from services.logistics.returns import rules
from services.logistics.returns.models import ReturnLine, ReturnRequest
from services.logistics.returns.problems import (
    NOT_THE_PARCEL_OWNER,
    RETURN_NOT_RELEASED,
    RETURN_REFERENCE_TAKEN,
    RETURN_STATE,
    RETURN_WINDOW_CLOSED,
)
from services.logistics.returns.repository import ReturnRepository
from services.logistics.returns.rules import Status
from services.logistics.returns.schemas import ExchangeIn, ReceiveIn, ReturnIn, ReturnShipIn
from services.logistics.shipments import service as shipments
from services.logistics.shipments.rules import Viewer, owns
from services.logistics.shipments.schemas import LegIn
from services.logistics.stock import service as stock
from services.logistics.stock.rules import MovementKind
from services.logistics.warehouses import service as warehouses
from shared.events.warehousing import ReturnChanged, ReturnFilingDue
from shared.identity import Identity
from shared.messaging.outbox import EventPublisher
from shared.problems import NOT_FOUND, VALIDATION_FAILED, ProblemError
from shared.vault import Vault


def _not_found(return_id: str) -> ProblemError:
    return ProblemError(NOT_FOUND, f"No return {return_id}.")


async def _stage(
    session: AsyncSession, publisher: EventPublisher, ret: ReturnRequest, lines: list[ReturnLine]
) -> None:
    await publisher.stage(
        session,
        ReturnChanged(
            owner_party_id=ret.owner_party_id,
            return_id=ret.id,
            reference=ret.reference,
            shipment_id=ret.shipment_id,
            direction=ret.direction,  # type: ignore[arg-type]  # the column holds Direction values
            customs_mode=ret.customs_mode,
            disposition=ret.disposition,  # type: ignore[arg-type]
            warehouse_id=ret.warehouse_id,
            status=ret.status,  # type: ignore[arg-type]
            units=sum(line.quantity for line in lines),
            sellable_units=sum(line.sellable for line in lines),
            unsellable_units=sum(line.unsellable for line in lines),
            exchange_order_id=ret.exchange_order_id,
            revision=ret.revision,
            occurred_at=ret.updated_at,
        ),
        subject=ret.id,
    )


def _touch(ret: ReturnRequest, now: dt.datetime) -> None:
    ret.revision += 1
    ret.updated_at = now


def _refuse(ret: ReturnRequest, action: str) -> ProblemError:
    return ProblemError(
        RETURN_STATE, f"Return {ret.id} is {ret.status}; it cannot be {action}.", status_now=ret.status
    )


async def open_return(
    session: AsyncSession,
    publisher: EventPublisher,
    identity: Identity,
    data: ReturnIn,
    *,
    import_window_days: int,
    now: dt.datetime,
) -> tuple[ReturnRequest, bool]:
    """Open a return for a released parcel of the caller's; (return, created).

    Refused with the window's dates when today (Beijing) is outside it; the same reference
    with the same content is the stored return, with other content a 409.
    """
    owner = products.acting_owner(identity, data.owner_party_id)
    repo = ReturnRepository.from_session(session)
    digest = fingerprint(data.model_dump(mode="json", exclude={"owner_party_id"}))
    existing = await repo.by_reference(owner, data.reference)
    if existing is not None:
        if existing.fingerprint != digest:
            raise ProblemError(
                RETURN_REFERENCE_TAKEN,
                f"Reference {data.reference!r} already names return {existing.id} with other content.",
                errors=[{"pointer": "/body/reference", "detail": "taken"}],
                return_id=existing.id,
            )
        return existing, False
    shipment, _legs, visible = await shipments.readable(session, identity, data.shipment_id)
    if visible is not None or not owns(Viewer.of(identity), shipment) or identity.is_regulator:
        raise ProblemError(
            NOT_THE_PARCEL_OWNER,
            f"Shipment {shipment.id} is not {identity.party_id}'s parcel.",
            errors=[{"pointer": "/body/shipment_id", "detail": "not your parcel"}],
        )
    released = await repo.customs_release(shipment.id)
    if released is None:
        raise ProblemError(
            RETURN_NOT_RELEASED,
            f"Customs has not released shipment {shipment.id}; a return may be opened once it has.",
            errors=[{"pointer": "/body/shipment_id", "detail": "not released by customs"}],
        )
    released_on = business_day(released)
    window = rules.window(shipment.direction, released_on, import_window_days)
    today = business_day(now)
    if not window.admits(today):
        raise ProblemError(
            RETURN_WINDOW_CLOSED,
            f"The return window of shipment {shipment.id} ran from {window.opens_on.isoformat()} to "
            f"{window.closes_on.isoformat()} (Beijing); today is {today.isoformat()}.",
            errors=[{"pointer": "/body/shipment_id", "detail": "outside the return window"}],
            window_opens_on=window.opens_on.isoformat(),
            window_closes_on=window.closes_on.isoformat(),
            today=today.isoformat(),
        )
    if data.warehouse_id is not None:
        await warehouses.open_for_business(session, data.warehouse_id)
    found = await products.resolve_skus(
        session, owner, [line.sku for line in data.lines], "/body/lines/{i}/sku"
    )
    ret = ReturnRequest(
        id=new_id("ret"),
        owner_party_id=owner,
        created_by_party_id=identity.party_id,
        reference=data.reference,
        shipment_id=shipment.id,
        direction=shipment.direction,
        customs_mode=shipment.customs_mode,
        invt_no=shipment.invt_no,
        released_on=released_on,
        window_closes_on=window.closes_on,
        reason=data.reason,
        disposition=data.disposition,
        warehouse_id=data.warehouse_id,
        status=Status.REQUESTED.value,
        return_leg_id=None,
        carrier_code=None,
        tracking_number=None,
        exchange_order_id=None,
        customs_return_id=None,
        fingerprint=digest,
        revision=1,
        created_at=now,
        shipped_at=None,
        received_at=None,
        filed_at=None,
        updated_at=now,
    )
    lines = [
        ReturnLine(
            return_id=ret.id,
            line_no=i + 1,
            product_id=found[line.sku].id,
            quantity=line.quantity,
            sellable=0,
            unsellable=0,
        )
        for i, line in enumerate(data.lines)
    ]
    repo.add(ret)
    repo.add_lines(lines)
    await repo.flush()
    await _stage(session, publisher, ret, lines)
    return ret, True


async def get(session: AsyncSession, identity: Identity, return_id: str) -> ReturnRequest:
    """The return, for its owner (or a platform acting for it), its warehouse's operator and
    administrators; 404 for everyone else."""
    ret = await ReturnRepository.from_session(session).get(return_id)
    if ret is None:
        raise _not_found(return_id)
    if may_act_for(identity, ret.owner_party_id) or identity.is_admin:
        return ret
    if ret.warehouse_id is not None and ret.warehouse_id in await warehouses.operated_ids(session, identity):
        return ret
    raise _not_found(return_id)


async def _for_owner(session: AsyncSession, identity: Identity, return_id: str) -> ReturnRequest:
    ret = await get(session, identity, return_id)
    if not may_act_for(identity, ret.owner_party_id):
        raise _not_found(return_id)
    locked = await ReturnRepository.from_session(session).lock(ret.id)
    assert locked is not None
    return locked


async def ship(
    session: AsyncSession,
    publisher: EventPublisher,
    ctx: LogisticsContext,
    identity: Identity,
    return_id: str,
    data: ReturnShipIn,
    now: dt.datetime,
) -> ReturnRequest:
    """The parcel leaves on its own leg: a ``return`` leg of the original shipment, tracked
    like any leg (carriers push its events; the shipment's timeline shows it)."""
    ret = await _for_owner(session, identity, return_id)
    if ret.status == Status.IN_TRANSIT and (ret.carrier_code, ret.tracking_number) == (
        data.carrier_code.strip(),
        data.tracking_number,
    ):
        return ret  # the same leg announced again
    if not rules.may_move(ret.status, Status.IN_TRANSIT):
        raise _refuse(ret, "shipped")
    leg = await shipments.add_leg(
        session,
        publisher,
        ctx,
        identity,
        ret.shipment_id,
        LegIn(
            role="return",
            mode=data.mode,
            carrier_code=data.carrier_code,
            tracking_number=data.tracking_number,
        ),
        now,
    )
    ret.status = Status.IN_TRANSIT.value
    ret.return_leg_id = leg.id
    ret.carrier_code = leg.carrier_code
    ret.tracking_number = leg.tracking_number
    ret.shipped_at = now
    _touch(ret, now)
    await _stage(session, publisher, ret, await ReturnRepository.from_session(session).lines(ret.id))
    return ret


async def receive(
    session: AsyncSession,
    publisher: EventPublisher,
    identity: Identity,
    return_id: str,
    data: ReceiveIn,
    now: dt.datetime,
) -> ReturnRequest:
    """The warehouse received the parcel and graded every line: sellable units go back on
    sale, the others are kept unavailable (the owner disposes of them with a write-off)."""
    ret = await get(session, identity, return_id)
    warehouse_id = ret.warehouse_id
    if warehouse_id is None:
        raise _refuse(ret, "received into a warehouse (it goes back to China)")
    await warehouses.managed(session, identity, warehouse_id)
    repo = ReturnRepository.from_session(session)
    locked = await repo.lock(ret.id)
    assert locked is not None
    ret = locked
    lines = await repo.lines(ret.id)
    products_by_id = await ProductRepository(session).many([line.product_id for line in lines])
    by_sku = {products_by_id[line.product_id].sku: line for line in lines}
    grades = {g.sku: g for g in data.lines}
    errors: list[dict[str, Any]] = []
    for i, grade in enumerate(data.lines):
        line = by_sku.get(grade.sku)
        if line is None:
            errors.append(
                {"pointer": f"/body/lines/{i}/sku", "detail": f"SKU {grade.sku!r} is not on the return"}
            )
            continue
        why = rules.grading_problems(line.quantity, grade.sellable, grade.unsellable)
        if why:
            errors.append({"pointer": f"/body/lines/{i}", "detail": why})
    if len(grades) != len(data.lines):
        errors.append({"pointer": "/body/lines", "detail": "a SKU is graded on two lines"})
    if errors:
        raise ProblemError(VALIDATION_FAILED, "The grading does not fit the return.", errors=errors)
    graded = {
        sku: (grades[sku].sellable, grades[sku].unsellable) if sku in grades else (0, 0) for sku in by_sku
    }
    if ret.status == Status.RECEIVED:
        if graded == {sku: (line.sellable, line.unsellable) for sku, line in by_sku.items()}:
            return ret  # the same receipt again
        raise _refuse(ret, "received again with another grading")
    if not rules.may_move(ret.status, Status.RECEIVED):
        raise _refuse(ret, "received")
    for sku, line in by_sku.items():
        sellable, unsellable = graded[sku]
        line.sellable, line.unsellable = sellable, unsellable
        if sellable + unsellable == 0:
            continue
        lot = await stock.lot_for_receipt(
            session,
            warehouse_id=warehouse_id,
            product_id=line.product_id,
            owner_party_id=ret.owner_party_id,
            lot_no=f"RET-{ret.id}",
            received_on=business_day(now),
            origin="return",
            source_id=ret.id,
        )
        for kind, units in (
            (MovementKind.RETURN_SELLABLE, sellable),
            (MovementKind.RETURN_UNSELLABLE, unsellable),
        ):
            if units:
                await stock.record(
                    session,
                    stock.MovementRequest(
                        warehouse_id=warehouse_id,
                        product_id=line.product_id,
                        owner_party_id=ret.owner_party_id,
                        kind=kind,
                        quantity=units,
                        reason=f"return_{ret.reason}",
                        movement_key=f"return:{ret.id}:{line.line_no}:{kind.value}",
                        reference_kind="return",
                        reference_id=ret.id,
                        actor_party_id=identity.party_id,
                        occurred_at=now,
                        lot_id=lot.id,
                    ),
                )
    ret.status = Status.RECEIVED.value
    ret.received_at = now
    _touch(ret, now)
    await _stage(session, publisher, ret, lines)
    return ret


async def arrive_in_china(
    session: AsyncSession, publisher: EventPublisher, identity: Identity, return_id: str, now: dt.datetime
) -> ReturnRequest:
    """The parcel is back in China: the owner's customs return filing falls due (an event the
    gateway delivers to the owner's webhooks; the declaration service takes the filing)."""
    ret = await _for_owner(session, identity, return_id)
    if ret.status == Status.ARRIVED_IN_CHINA:
        return ret
    if ret.disposition != "china" or not rules.may_move(ret.status, Status.ARRIVED_IN_CHINA):
        raise _refuse(ret, "marked back in China")
    ret.status = Status.ARRIVED_IN_CHINA.value
    ret.received_at = now
    _touch(ret, now)
    lines = await ReturnRepository.from_session(session).lines(ret.id)
    await _stage(session, publisher, ret, lines)
    shipment, _legs, _visible = await shipments.readable(session, identity, ret.shipment_id)
    await publisher.stage(
        session,
        ReturnFilingDue(
            party_id=ret.owner_party_id,
            return_id=ret.id,
            shipment_id=ret.shipment_id,
            direction=ret.direction,  # type: ignore[arg-type]
            message_type=rules.FILING_MESSAGE[ret.direction],
            filing_path=rules.FILING_PATH[ret.direction],
            invt_no=ret.invt_no,
            logistics_code=shipment.logistics_code,
            logistics_no=shipment.logistics_no,
            window_closes_on=ret.window_closes_on,
            occurred_at=now,
        ),
        subject=ret.id,
    )
    return ret


async def cancel(
    session: AsyncSession, publisher: EventPublisher, identity: Identity, return_id: str, now: dt.datetime
) -> ReturnRequest:
    """The owner withdraws a return before the parcel leaves."""
    ret = await _for_owner(session, identity, return_id)
    if ret.status == Status.CANCELLED:
        return ret
    if not rules.may_move(ret.status, Status.CANCELLED):
        raise _refuse(ret, "cancelled")
    ret.status = Status.CANCELLED.value
    _touch(ret, now)
    await _stage(session, publisher, ret, await ReturnRepository.from_session(session).lines(ret.id))
    return ret


async def exchange(
    session: AsyncSession,
    publisher: EventPublisher,
    vault: Vault,
    identity: Identity,
    return_id: str,
    data: ExchangeIn,
    now: dt.datetime,
) -> tuple[ReturnRequest, OutboundOrder]:
    """An exchange: the return plus a reshipment (an outbound order), linked both ways. The
    same reshipment again is answered as it is; a second, different one is a 409."""
    ret = await _for_owner(session, identity, return_id)
    if ret.status == Status.CANCELLED:
        raise _refuse(ret, "exchanged")
    if data.order.owner_party_id not in (None, ret.owner_party_id):
        raise ProblemError(
            VALIDATION_FAILED,
            "The reshipment is the return owner's order.",
            errors=[{"pointer": "/body/order/owner_party_id", "detail": f"must be {ret.owner_party_id}"}],
        )
    prepared = await outbound.prepare(
        session, vault, identity, data.order.model_copy(update={"owner_party_id": ret.owner_party_id})
    )
    if ret.exchange_order_id is not None:
        if prepared.existing is not None and prepared.existing.id == ret.exchange_order_id:
            return ret, prepared.existing
        raise _refuse(ret, f"exchanged again (its reshipment is {ret.exchange_order_id})")
    if prepared.existing is not None:
        raise ProblemError(
            RETURN_STATE,
            f"Order {prepared.existing.id} already exists; an exchange places a new order.",
            errors=[{"pointer": "/body/order/reference", "detail": "names an existing order"}],
        )
    prepared.order.replaces_return_id = ret.id
    [placed] = await outbound.place(session, publisher, [prepared])
    if isinstance(placed, ProblemError):
        raise placed
    order, _created = placed
    ret.exchange_order_id = order.id
    _touch(ret, now)
    await _stage(session, publisher, ret, await ReturnRepository.from_session(session).lines(ret.id))
    return ret, order


async def record_customs_return(
    session: AsyncSession,
    publisher: EventPublisher,
    invt_no: str | None,
    customs_return_id: str,
    now: dt.datetime,
) -> ReturnRequest | None:
    """Customs accepted a return of inventory ``invt_no`` (the declaration's ``InventoryReturned``):
    the oldest return of that inventory waiting for its filing is ``filed``. None if no return waits
    (a return filed without the logistics service, or a repeat)."""
    if not invt_no:
        return None
    repo = ReturnRepository.from_session(session)
    waiting = await repo.awaiting_filing(invt_no)
    if not waiting:
        return None
    ret = waiting[0]
    ret.status = Status.FILED.value
    ret.customs_return_id = customs_return_id
    ret.filed_at = now
    _touch(ret, now)
    await _stage(session, publisher, ret, await repo.lines(ret.id))
    return ret
