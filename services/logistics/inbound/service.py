"""Inbound use cases: announcing goods (ASN), their arrival, counting, and putting them away.

The ASN names the 9810 export inventories that carried the goods; each is checked against
the customs inventory mirror (the declaration service's events): a known inventory must be
the owner's own 9810 export and alive, one not seen yet is linked as ``unknown`` and
verified when its events arrive. Counting records short, over and damaged units; putaway
turns counted units into stock, lot by lot, keeping the receipt day on the lot.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.logistics.customs_inventories import service as customs
from services.logistics.customs_inventories.models import CustomsInventory
from services.logistics.identifiers import fingerprint, new_id
from services.logistics.inbound import rules
from services.logistics.inbound.models import InboundDeclaration, InboundLine, InboundOrder, InboundReceipt
from services.logistics.inbound.problems import (
    ASN_REFERENCE_TAKEN,
    ASN_STATE,
    DECLARATION_REFUSED,
    KEY_REUSED,
    PUTAWAY_EXCEEDS_RECEIPT,
)
from services.logistics.inbound.repository import InboundRepository
from services.logistics.inbound.schemas import ArrivalIn, AsnIn, PutawayIn, ReceiptIn
from services.logistics.outbound import service as outbound
from services.logistics.products import service as products
from services.logistics.products.models import Product
from services.logistics.products.problems import NOT_THE_OWNER
from services.logistics.products.repository import ProductRepository
from services.logistics.products.rules import may_act_for
from services.logistics.stock import service as stock
from services.logistics.stock.rules import MovementKind
from services.logistics.warehouses import service as warehouses
from services.logistics.warehouses.models import Warehouse
from shared.events.warehousing import InboundChanged, UnitCounts
from shared.identity import Identity
from shared.messaging.outbox import EventPublisher
from shared.problems import NOT_FOUND, ProblemError
from shared.sqltypes import utcnow

#: Statuses of an inventory that can no longer carry goods anywhere.
_DEAD = {"cancelled", "rejected", "refused", "format_rejected", "deleted"}


def check_inventory(inventory: CustomsInventory, parties: set[str], codes: set[str]) -> str | None:
    """Why a known inventory cannot carry goods to an overseas warehouse for this owner (None: it can).

    It is the owner's when one of ``parties`` (the owner, the platform that filed the ASN)
    declared it, or its e-commerce enterprise code is one of the owner's ``codes``.
    """
    if not (
        inventory.party_id in parties or (inventory.ebc_code is not None and inventory.ebc_code in codes)
    ):
        return "is another enterprise's inventory"
    if inventory.direction != "export" or inventory.mode != "9810":
        mode = inventory.mode or "unknown"
        return f"is a {inventory.direction} inventory under mode {mode}, not a 9810 export"
    if inventory.status in _DEAD:
        return f"was {inventory.status}"
    return None


async def _stage(session: AsyncSession, publisher: EventPublisher, asn: InboundOrder) -> None:
    view = await _discrepancies(session, asn)
    units = UnitCounts(
        expected=sum(d.expected for d in view),
        received=sum(d.received for d in view),
        damaged=sum(d.damaged for d in view),
        short=sum(d.short for d in view),
        over=sum(d.over for d in view),
    )
    await publisher.stage(
        session,
        InboundChanged(
            party_id=asn.owner_party_id,
            asn_id=asn.id,
            reference=asn.reference,
            warehouse_id=asn.warehouse_id,
            status=asn.status,  # type: ignore[arg-type]  # the column holds AsnStatus values
            units=units,
            revision=asn.revision,
            occurred_at=asn.updated_at,
        ),
        subject=asn.id,
    )


async def _discrepancies(session: AsyncSession, asn: InboundOrder) -> list[rules.Discrepancy]:
    repo = InboundRepository(session)
    expected = [
        rules.Expected(line.box_no, line.product_id, line.expected) for line in await repo.lines(asn.id)
    ]
    counted = [
        rules.Counted(r.box_no, r.product_id, r.received, r.damaged) for r in await repo.receipts(asn.id)
    ]
    return rules.discrepancies(expected, counted)


def _touch(asn: InboundOrder, now: dt.datetime) -> None:
    asn.revision += 1
    asn.updated_at = now


def _may_store_for(warehouse: Warehouse, owner_party_id: str) -> None:
    if warehouse.usage == "own" and warehouse.operator_party_id != owner_party_id:
        raise ProblemError(
            ASN_STATE,
            f"Warehouse {warehouse.id} is for its operator's own goods only.",
            errors=[{"pointer": "/body/warehouse_id", "detail": "an own-use warehouse"}],
        )


async def create(
    session: AsyncSession, publisher: EventPublisher, identity: Identity, data: AsnIn
) -> InboundOrder:
    """Announce goods to a warehouse; the same reference with the same content answers the ASN."""
    owner = products.acting_owner(identity, data.owner_party_id)
    repo = InboundRepository(session)
    digest = fingerprint(data.model_dump(mode="json", exclude={"owner_party_id"}))
    existing = await repo.by_reference(owner, data.reference)
    if existing is not None:
        if existing.fingerprint != digest:
            raise ProblemError(
                ASN_REFERENCE_TAKEN,
                f"Reference {data.reference!r} already names ASN {existing.id} with other content.",
                errors=[{"pointer": "/body/reference", "detail": "taken"}],
                asn_id=existing.id,
            )
        return existing
    warehouse = await warehouses.open_for_business(session, data.warehouse_id)
    _may_store_for(warehouse, owner)
    skus = [item.sku for box in data.boxes for item in box.items]
    pointers = [
        f"/body/boxes/{b}/items/{i}/sku" for b, box in enumerate(data.boxes) for i, _ in enumerate(box.items)
    ]
    found = await ProductRepository(session).by_skus(owner, skus)
    missing = [
        {"pointer": p, "detail": f"{owner} has no active SKU {sku!r}"}
        for p, sku in zip(pointers, skus, strict=True)
        if sku not in found or found[sku].status != "active"
    ]
    if missing:
        raise ProblemError(
            NOT_FOUND, "Some boxes name SKUs that are not the owner's.", errors=missing, status=422
        )
    known = await customs.find(session, data.declarations)
    parties = {owner, identity.party_id}
    codes = {c.code for c in identity.codes} if identity.party_id == owner else set()
    refusals = []
    links: list[InboundDeclaration] = []
    asn_id = new_id("asn")
    for i, number in enumerate(data.declarations):
        inventory = known.get(number)
        why = None if inventory is None else check_inventory(inventory, parties, codes)
        if why is not None:
            refusals.append({"pointer": f"/body/declarations/{i}", "detail": f"inventory {number} {why}"})
            continue
        links.append(
            InboundDeclaration(
                asn_id=asn_id,
                number=number,
                document_id=inventory.document_id if inventory else None,
                link_status="verified" if inventory else "unknown",
                detail=None if inventory else "not seen in the declaration events yet",
            )
        )
    if refusals:
        raise ProblemError(
            DECLARATION_REFUSED,
            "; ".join(r["detail"] for r in refusals) + ".",
            errors=refusals,
        )
    now = utcnow()
    asn = repo.add(
        InboundOrder(
            id=asn_id,
            owner_party_id=owner,
            warehouse_id=warehouse.id,
            reference=data.reference,
            status="awaiting",
            transport_mode=data.transport_mode,
            carrier_code=data.carrier_code,
            tracking_number=data.tracking_number,
            shipment_id=None,
            expected_on=data.expected_on,
            created_by_party_id=identity.party_id,
            owner_codes=",".join(sorted(codes))[:400],
            fingerprint=digest,
            revision=1,
            created_at=now,
            updated_at=now,
        )
    )
    merged: dict[tuple[str, str, str], int] = defaultdict(int)
    for box in data.boxes:
        for item in box.items:
            merged[(box.box_no, found[item.sku].id, item.lot_no or "")] += item.quantity
    for (box_no, product_id, lot_no), units in merged.items():
        session.add(
            InboundLine(asn_id=asn_id, box_no=box_no, product_id=product_id, lot_no=lot_no, expected=units)
        )
    for link in links:
        session.add(link)
    await repo.flush()
    await _stage(session, publisher, asn)
    return asn


async def get(session: AsyncSession, identity: Identity, asn_id: str) -> InboundOrder:
    """The ASN, for its owner (or a platform acting for it) and the warehouse's operator; else 404."""
    asn = await InboundRepository(session).get(asn_id)
    if asn is None:
        raise ProblemError(NOT_FOUND, f"No ASN {asn_id}.")
    if may_act_for(identity, asn.owner_party_id):
        return asn
    if asn.warehouse_id in await warehouses.operated_ids(session, identity) or identity.is_admin:
        return asn
    raise ProblemError(NOT_FOUND, f"No ASN {asn_id}.")


async def _operated(session: AsyncSession, identity: Identity, asn_id: str) -> InboundOrder:
    """The ASN, locked, if the caller operates its warehouse; 404 / 403 otherwise."""
    asn = await get(session, identity, asn_id)
    await warehouses.managed(session, identity, asn.warehouse_id)
    locked = await InboundRepository(session).lock(asn_id)
    assert locked is not None
    return locked


def _state(asn: InboundOrder, allowed: bool, action: str) -> None:
    if not allowed:
        raise ProblemError(
            ASN_STATE, f"ASN {asn.id} is {asn.status}; it cannot be {action}.", status_now=asn.status
        )


async def arrive(
    session: AsyncSession, publisher: EventPublisher, identity: Identity, asn_id: str, data: ArrivalIn
) -> InboundOrder:
    """The operator notes the goods' arrival at the dock (once; repeating it changes nothing)."""
    asn = await _operated(session, identity, asn_id)
    if asn.arrived_at is not None:
        return asn
    _state(asn, rules.may_arrive(asn.status), "marked arrived")
    now = utcnow()
    asn.arrived_at = data.arrived_at or now
    asn.status = "arrived"
    _touch(asn, now)
    await session.flush()
    await _stage(session, publisher, asn)
    return asn


async def _owner_products(
    session: AsyncSession, owner: str, skus: Sequence[str], where: str
) -> dict[str, Product]:
    return await products.resolve_skus(session, owner, skus, where)


async def receive(
    session: AsyncSession, publisher: EventPublisher, identity: Identity, asn_id: str, data: ReceiptIn
) -> InboundOrder:
    """Record a count. The same receipt key with the same lines changes nothing; with others: 409."""
    asn = await _operated(session, identity, asn_id)
    repo = InboundRepository(session)
    digest = fingerprint(data.model_dump(mode="json"))
    earlier = await repo.receipts(asn.id, data.receipt_key)
    if earlier:
        if earlier[0].fingerprint != digest:
            raise ProblemError(KEY_REUSED, f"Receipt {data.receipt_key!r} was recorded with other lines.")
        return asn
    _state(asn, rules.may_receive(asn.status), "counted")
    found = await _owner_products(
        session, asn.owner_party_id, [line.sku for line in data.lines], "/body/lines/{i}/sku"
    )
    now = utcnow()
    for line in data.lines:
        session.add(
            InboundReceipt(
                asn_id=asn.id,
                receipt_key=data.receipt_key,
                box_no=line.box_no,
                product_id=found[line.sku].id,
                received=line.received,
                damaged=line.damaged,
                received_on=data.received_on,
                final=data.final,
                fingerprint=digest,
                recorded_at=now,
            )
        )
    if not data.lines:  # a final receipt may close counting without new lines; keep the key
        session.add(
            InboundReceipt(
                asn_id=asn.id,
                receipt_key=data.receipt_key,
                box_no="",
                product_id="",
                received=0,
                damaged=0,
                received_on=data.received_on,
                final=data.final,
                fingerprint=digest,
                recorded_at=now,
            )
        )
    asn.arrived_at = asn.arrived_at or now
    asn.status = rules.after_receipt(asn.status, data.final)
    if data.final:
        asn.received_at = now
    _touch(asn, now)
    await session.flush()
    await _complete_if_done(session, asn)
    await _stage(session, publisher, asn)
    return asn


async def _counted(session: AsyncSession, asn: InboundOrder) -> list[rules.Counted]:
    return [
        rules.Counted(r.box_no, r.product_id, r.received, r.damaged)
        for r in await InboundRepository(session).receipts(asn.id)
        if r.product_id
    ]


async def _put_away(session: AsyncSession, asn: InboundOrder) -> dict[tuple[str, str], int]:
    totals = await stock.reference_totals(session, "asn", asn.id)
    return {
        (product, "sellable" if kind == MovementKind.RECEIVE else "damaged"): units
        for (product, kind), units in totals.items()
    }


async def _complete_if_done(session: AsyncSession, asn: InboundOrder) -> None:
    room = rules.putaway_room(await _counted(session, asn), await _put_away(session, asn))
    if rules.completed(asn.status, room):
        asn.status = "completed"
        asn.completed_at = utcnow()
        await session.flush()


async def first_receipt_day(session: AsyncSession, asn: InboundOrder, product_id: str) -> dt.date:
    """The day a product of the ASN was first counted (the lot's receipt day)."""
    days = [
        r.received_on for r in await InboundRepository(session).receipts(asn.id) if r.product_id == product_id
    ]
    return min(days)


async def put_away(
    session: AsyncSession, publisher: EventPublisher, identity: Identity, asn_id: str, data: PutawayIn
) -> tuple[InboundOrder, list[str]]:
    """Place counted units into stock, lot by lot; the ASN and the products whose stock grew.

    A line takes at most what was counted and not yet put away, by condition. Each line is
    a stock movement keyed ``putaway:<key>:<line>``: the same putaway sent twice is applied once.
    """
    asn = await _operated(session, identity, asn_id)
    keys = [f"putaway:{data.putaway_key}:{i}" for i in range(len(data.lines))]
    stored = [await stock.existing(session, asn.warehouse_id, key) is not None for key in keys]
    if all(stored):
        return asn, []  # the same putaway again: applied once
    _state(asn, rules.may_put_away(asn.status), "put away")
    found = await _owner_products(
        session, asn.owner_party_id, [line.sku for line in data.lines], "/body/lines/{i}/sku"
    )
    counted = await _counted(session, asn)
    room = rules.putaway_room(counted, await _put_away(session, asn))
    lines_by_product = {line.product_id: line for line in await InboundRepository(session).lines(asn.id)}
    asked: dict[tuple[str, str], int] = defaultdict(int)
    for line, done in zip(data.lines, stored, strict=True):
        if not done:
            asked[(found[line.sku].id, line.condition)] += line.quantity
    errors = []
    for (product_id, condition), units in asked.items():
        left = room.get(product_id, rules.PutawayRoom(0, 0))
        free = left.sellable if condition == "sellable" else left.damaged
        if units > free:
            sku = next(p.sku for p in found.values() if p.id == product_id)
            errors.append(
                {
                    "pointer": "/body/lines",
                    "detail": f"{sku}: {units} {condition} asked, {free} counted and not put away",
                }
            )
    if errors:
        raise ProblemError(PUTAWAY_EXCEEDS_RECEIPT, errors[0]["detail"], errors=errors)
    grown: set[str] = set()
    now = utcnow()
    # Lines in product order: every transaction takes stock locks in one order (no deadlocks).
    for index, item in sorted(enumerate(data.lines), key=lambda pair: found[pair[1].sku].id):
        product = found[item.sku]
        announced = lines_by_product.get(product.id)
        lot_no = item.lot_no or (announced.lot_no if announced and announced.lot_no else asn.reference)
        lot = await stock.lot_for_receipt(
            session,
            warehouse_id=asn.warehouse_id,
            product_id=product.id,
            owner_party_id=asn.owner_party_id,
            lot_no=lot_no,
            received_on=await first_receipt_day(session, asn, product.id),
            origin="inbound",
            source_id=asn.id,
        )
        recorded = await stock.record(
            session,
            stock.MovementRequest(
                warehouse_id=asn.warehouse_id,
                product_id=product.id,
                owner_party_id=asn.owner_party_id,
                kind=MovementKind.RECEIVE if item.condition == "sellable" else MovementKind.RECEIVE_DAMAGED,
                quantity=item.quantity,
                reason="putaway" if item.condition == "sellable" else "damaged_on_arrival",
                movement_key=f"putaway:{data.putaway_key}:{index}",
                reference_kind="asn",
                reference_id=asn.id,
                actor_party_id=identity.party_id,
                occurred_at=now,
                lot_id=lot.id,
                pointer=f"/body/lines/{index}/quantity",
            ),
        )
        if not recorded.replayed and item.condition == "sellable":
            grown.add(product.id)
    _touch(asn, now)
    await session.flush()
    await _complete_if_done(session, asn)
    await _stage(session, publisher, asn)
    for product_id in sorted(grown):  # orders waiting for these units are served now
        await outbound.serve_waiting(session, publisher, asn.warehouse_id, product_id)
    return asn, sorted(grown)


async def cancel(
    session: AsyncSession, publisher: EventPublisher, identity: Identity, asn_id: str
) -> InboundOrder:
    """The owner withdraws an ASN whose goods have not arrived (cancelling twice changes nothing)."""
    asn = await get(session, identity, asn_id)
    if not may_act_for(identity, asn.owner_party_id):
        raise ProblemError(NOT_THE_OWNER, "Only the goods' owner cancels an ASN.")
    if asn.status == "cancelled":
        return asn
    _state(asn, rules.may_cancel(asn.status), "cancelled")
    now = utcnow()
    asn.status = "cancelled"
    asn.cancelled_at = now
    _touch(asn, now)
    await session.flush()
    await _stage(session, publisher, asn)
    return asn


async def verify_links(session: AsyncSession, inventory: CustomsInventory) -> int:
    """An inventory became known: verify (or flag) the ASNs that named it; how many links changed."""
    repo = InboundRepository(session)
    numbers = [n for n in (inventory.invt_no, inventory.business_no, inventory.document_id) if n]
    changed = 0
    for link in await repo.declarations_waiting_for(numbers):
        asn = await repo.get(link.asn_id)
        if asn is None:
            continue
        parties = {asn.owner_party_id, asn.created_by_party_id}
        why = check_inventory(inventory, parties, set(filter(None, asn.owner_codes.split(","))))
        link.document_id = inventory.document_id
        link.link_status = "verified" if why is None else "mismatch"
        link.detail = None if why is None else f"inventory {why}"
        changed += 1
    if changed:
        await session.flush()
    return changed
