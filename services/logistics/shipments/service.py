"""Shipments: made from customs waybills or through the API, linked to their inventories,
given legs and numbers, read by those they belong to."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from services.logistics.adapters.model import Mapped
from services.logistics.adapters.tables import table
from services.logistics.context import LogisticsContext
from services.logistics.parties.repository import PartyRepository
from services.logistics.shipments import rules
from services.logistics.shipments.models import Leg, Shipment
from services.logistics.shipments.repository import ShipmentRepository
from services.logistics.shipments.schemas import LegChange, LegIn, ShipmentIn
from services.logistics.tracking import service as tracking
from services.logistics.tracking.repository import TrackingRepository
from services.logistics.tracking.views import shipment_facts
from shared.events.declaration import DocumentFacts
from shared.events.logistics import ShipmentChanged, ShipmentCreated, SubStatus, TrackingStatus
from shared.identity import Identity
from shared.messaging.outbox import EventPublisher
from shared.problems import CONFLICT, FORBIDDEN, NOT_FOUND, VALIDATION_FAILED, ProblemError

WAYBILL_TYPES = frozenset({"CEB505", "CEB511"})
INVENTORY_TYPES = frozenset({"CEB603", "CEB621"})
#: Inventory references a shipment takes over (shipment column ← DocumentFacts field).
_LINKED = {
    "order_no": "order_no",
    "ebc_code": "ebc_code",
    "ebp_code": "ebp_code",
    "invt_no": "invt_no",
    "bill_no": "bill_no",
    "customs_code": "customs_code",
    "port_code": "port_code",
    "loct_no": "loct_no",
    "traf_mode": "traf_mode",
    "traf_name": "traf_name",
    "voyage_no": "voyage_no",
    "country": "country",
    "customs_mode": "mode",
}


async def _changed(
    session: AsyncSession,
    publisher: EventPublisher,
    ctx: LogisticsContext,
    shipment: Shipment,
    legs: list[Leg],
    numbers: dict[str, list[tuple[str, str]]],
    change: str,
    at: dt.datetime,
) -> None:
    """Publish what changed on the shipment and derive it again."""
    facts = shipment_facts(shipment, legs, numbers)
    await publisher.stage(
        session,
        ShipmentChanged.model_validate({"shipment": facts, "change": change, "occurred_at": at}),
        subject=shipment.id,
    )
    await tracking.refresh(session, publisher, ctx, [shipment.id], at)


def _not_found() -> ProblemError:
    return ProblemError(NOT_FOUND, "No such shipment.")


# --- from the declaration service --------------------------------------------------------------


async def from_waybill(
    session: AsyncSession,
    publisher: EventPublisher,
    ctx: LogisticsContext,
    facts: DocumentFacts,
    at: dt.datetime,
) -> Shipment | None:
    """The shipment of an accepted customs waybill (once per waybill document)."""
    if facts.message_type not in WAYBILL_TYPES or not facts.logistics_code or not facts.logistics_no:
        return None
    repo = ShipmentRepository(session)
    if await repo.by_source_document(facts.document_id) is not None:
        return None
    link = await repo.take_link(f"{facts.logistics_code}|{facts.logistics_no}")
    mode, mode_source = rules.leg_mode((link or {}).get("traf_mode"), ctx.settings.default_mode)
    customs_mode = facts.mode or (link or {}).get("mode")
    shipment = Shipment(
        id=str(uuid.uuid4()),
        direction=facts.direction,
        customs_mode=customs_mode,
        order_no=facts.order_no,
        ebc_code=facts.ebc_code,
        ebp_code=facts.ebp_code,
        logistics_code=facts.logistics_code,
        logistics_name=facts.logistics_name,
        logistics_no=facts.logistics_no,
        bill_no=facts.bill_no,
        country=facts.country,
        carrier_party_id=facts.party_id,
        created_by_party_id=facts.party_id,
        origin="declaration",
        source_document_id=facts.document_id,
        exceptions={},
        revision=0,
        created_at=at,
        updated_at=at,
    )
    if link:
        _take_inventory(shipment, link)
    leg = _leg(
        shipment.id,
        1,
        rules.waybill_leg_role(facts.direction, shipment.customs_mode),
        mode,
        mode_source,
        facts.logistics_code,
        None,
        facts.logistics_no,
        at,
    )
    repo.add(shipment)
    repo.add(leg)
    await repo.flush()
    await _numbers(repo, shipment, [leg], {leg.id: []}, at)
    await _created(session, publisher, ctx, shipment, [leg], "declaration", at)
    return shipment


def _take_inventory(shipment: Shipment, facts: dict[str, Any]) -> None:
    for column, field in _LINKED.items():
        value = facts.get(field)
        if value and not getattr(shipment, column):
            setattr(shipment, column, value)
        elif value and column in (
            "invt_no",
            "customs_mode",
            "traf_mode",
            "traf_name",
            "voyage_no",
            "bill_no",
        ):
            setattr(shipment, column, value)
    if facts.get("business_no") and not shipment.cop_no:
        shipment.cop_no = str(facts["business_no"])[:30]
    if facts.get("party_id"):
        shipment.enterprise_party_id = facts["party_id"]


async def link_inventory(
    session: AsyncSession,
    publisher: EventPublisher,
    ctx: LogisticsContext,
    facts: DocumentFacts,
    at: dt.datetime,
) -> Shipment | None:
    """Give the waybill's shipment its inventory's references (or keep them until it exists)."""
    if facts.message_type not in INVENTORY_TYPES or not facts.logistics_code or not facts.logistics_no:
        return None
    repo = ShipmentRepository(session)
    found = await repo.by_waybill(facts.logistics_code, facts.logistics_no)
    linked = facts.model_dump(mode="json")
    if found is None:
        await repo.save_link(f"{facts.logistics_code}|{facts.logistics_no}", linked, at)
        return None
    shipment = (await repo.lock([found.id]))[found.id]
    before = {c: getattr(shipment, c) for c in (*_LINKED, "cop_no", "enterprise_party_id")}
    _take_inventory(shipment, linked)
    legs = (await repo.legs_of([shipment.id]))[shipment.id]
    mode, source = rules.leg_mode(shipment.traf_mode, ctx.settings.default_mode)
    border = next((leg for leg in legs if leg.role == "linehaul"), None)
    if source == "customs" and border is not None and border.mode_source == "default":
        border.mode, border.mode_source = mode, "customs"
    if (
        shipment.direction == "import"
        and shipment.customs_mode == "1210"
        and legs
        and legs[0].role == "linehaul"
    ):
        legs[0].role = "last_mile"
    after = {c: getattr(shipment, c) for c in before}
    if after != before:
        shipment.updated_at = at
        numbers = await repo.numbers_of_legs(leg.id for leg in legs)
        await _numbers(repo, shipment, legs, numbers, at)
        await _changed(session, publisher, ctx, shipment, legs, numbers, "linked", at)
    return shipment


async def record_customs(
    session: AsyncSession,
    publisher: EventPublisher,
    ctx: LogisticsContext,
    facts: DocumentFacts,
    status: str,
    occurred_at: dt.datetime,
    now: dt.datetime,
) -> bool:
    """Put a customs receipt of the shipment's inventory on its timeline (source ``customs``)."""
    mapped = table("customs").find(status)
    if mapped is None:
        return False
    return await _timeline_event(session, publisher, ctx, facts, "customs", mapped, status, occurred_at, now)


async def record_waybill_deleted(
    session: AsyncSession,
    publisher: EventPublisher,
    ctx: LogisticsContext,
    facts: DocumentFacts,
    occurred_at: dt.datetime,
    now: dt.datetime,
) -> bool:
    """The carrier withdrew the customs waybill (appType 3): the shipment is cancelled."""
    mapped = Mapped(TrackingStatus.CANCELLED, SubStatus.CANCELLED_BY_SHIPPER)
    return await _timeline_event(
        session, publisher, ctx, facts, "platform", mapped, "waybill_deleted", occurred_at, now
    )


async def _timeline_event(
    session: AsyncSession,
    publisher: EventPublisher,
    ctx: LogisticsContext,
    facts: DocumentFacts,
    source: str,
    mapped: Mapped,
    raw_code: str,
    occurred_at: dt.datetime,
    now: dt.datetime,
) -> bool:
    if not facts.logistics_code or not facts.logistics_no:
        return False
    repo = ShipmentRepository(session)
    found = await repo.by_waybill(facts.logistics_code, facts.logistics_no)
    leg: Leg | None = None
    if found is not None:
        await repo.lock([found.id])
        legs = (await repo.legs_of([found.id]))[found.id]
        leg = next((item for item in legs if item.role == "linehaul"), legs[0] if legs else None)
    key = hashlib.sha256(f"{source}\x1f{facts.document_id}\x1f{raw_code}".encode()).hexdigest()
    inserted = await TrackingRepository(session).insert_new(
        [
            {
                "id": str(uuid.uuid4()),
                "dedup_key": key,
                "shipment_id": leg.shipment_id if leg else None,
                "leg_id": leg.id if leg else None,
                "carrier_code": facts.logistics_code,
                "carrier_key": None,
                "tracking_number": facts.logistics_no[:64],
                "source": source,
                "native_id": facts.document_id,
                "occurred_at": occurred_at,
                "utc_offset_minutes": 480,
                "recorded_at": occurred_at,
                "received_at": now,
                "status": mapped.status.value,
                "sub_status": mapped.sub_status.value if mapped.sub_status else None,
                "reason": mapped.reason.value if mapped.reason else None,
                "customs_clearance": mapped.customs_clearance,
                "mapped": True,
                "classifier": "actual",
                "raw_code": raw_code,
                "raw_text": f"{facts.message_type} {facts.invt_no or facts.business_no}",
                "locode": None,
                "location_name": None,
                "country": "CN",
                "facility_code": facts.customs_code,
                "facility_type": "CUST" if source == "customs" else None,
                "retracts": None,
                "eta_earliest": None,
                "eta_latest": None,
                "conveyance": None,
                "pushed_by_party_id": facts.party_id,
                "pushed_by_codes": [],
            }
        ]
    )
    if inserted and found is not None:
        await tracking.refresh(session, publisher, ctx, [found.id], now)
    return bool(inserted)


# --- through the API -----------------------------------------------------------------------------


def _leg(
    shipment_id: str,
    sequence: int,
    role: str,
    mode: str,
    mode_source: str,
    carrier_code: str,
    operated_by: str | None,
    number: str,
    at: dt.datetime,
    data: LegIn | None = None,
) -> Leg:
    return Leg(
        id=str(uuid.uuid4()),
        shipment_id=shipment_id,
        sequence=sequence,
        role=role,
        mode=mode,
        mode_source=mode_source,
        carrier_code=carrier_code,
        operated_by=operated_by,
        tracking_number=number,
        origin_locode=data.origin.locode if data and data.origin else None,
        origin_name=data.origin.name if data and data.origin else None,
        destination_locode=data.destination.locode if data and data.destination else None,
        destination_name=data.destination.name if data and data.destination else None,
        planned_departure=data.planned_departure if data else None,
        planned_arrival=data.planned_arrival if data else None,
        status="pending",
        punctuality="unknown",
        created_at=at,
        updated_at=at,
    )


async def _numbers(
    repo: ShipmentRepository,
    shipment: Shipment,
    legs: Sequence[Leg],
    extra: dict[str, list[tuple[str, str]]],
    at: dt.datetime,
) -> None:
    own = rules.numbers_of(
        [
            ("order", shipment.order_no),
            ("waybill", shipment.logistics_no),
            ("inventory", shipment.invt_no),
            ("cop", shipment.cop_no),
            ("bill", shipment.bill_no),
        ]
    )
    await repo.add_shipment_numbers([{"shipment_id": shipment.id, "kind": k, "number": n} for k, n in own])
    rows = []
    for leg in legs:
        pairs = [("tracking", leg.tracking_number), *extra.get(leg.id, [])]
        rows += [
            {"leg_id": leg.id, "shipment_id": shipment.id, "number": n, "kind": k, "created_at": at}
            for k, n in rules.numbers_of(pairs)
        ]
    await repo.add_leg_numbers(rows)


async def _created(
    session: AsyncSession,
    publisher: EventPublisher,
    ctx: LogisticsContext,
    shipment: Shipment,
    legs: list[Leg],
    origin: Literal["declaration", "api"],
    at: dt.datetime,
) -> None:
    repo = ShipmentRepository(session)
    numbers = await repo.numbers_of_legs(leg.id for leg in legs)
    attached = await tracking.attach_orphans(session, shipment, legs, numbers)
    await publisher.stage(
        session,
        ShipmentCreated(shipment=shipment_facts(shipment, legs, numbers), origin=origin),
        subject=shipment.id,  # type: ignore[arg-type]
    )
    if attached or any(leg.planned_arrival for leg in legs):
        await tracking.refresh(session, publisher, ctx, [shipment.id], at)


async def _known_carriers(
    session: AsyncSession, ctx: LogisticsContext, identity: Identity, legs: Sequence[LegIn]
) -> None:
    parties = await PartyRepository(session).by_codes(leg.carrier_code for leg in legs)
    keys = {entry.key for entry in ctx.carriers.values()}
    errors = []
    for index, leg in enumerate(legs):
        code = leg.carrier_code.strip()
        registered = code.upper() in parties and "logistics_firm" in parties[code.upper()].roles
        if not (identity.owns_code(code) or registered):
            errors.append(
                {
                    "pointer": f"/body/legs/{index}/carrier_code",
                    "type": "carrier_unknown",
                    "detail": f"{code} is not a registered logistics party's code",
                }
            )
        if leg.operated_by and leg.operated_by not in keys:
            errors.append(
                {
                    "pointer": f"/body/legs/{index}/operated_by",
                    "type": "carrier_unknown",
                    "detail": f"{leg.operated_by} is not in the carrier table",
                }
            )
    if errors:
        raise ProblemError(VALIDATION_FAILED, "Unknown carrier(s) on the legs.", errors=errors)


async def create(
    session: AsyncSession,
    publisher: EventPublisher,
    ctx: LogisticsContext,
    identity: Identity,
    data: ShipmentIn,
    now: dt.datetime,
) -> Shipment:
    """A shipment made by a carrier, forwarder or enterprise; it must name one of the caller's codes."""
    mine = [
        c
        for c in (data.ebc_code, data.ebp_code, data.logistics_code, *(leg.carrier_code for leg in data.legs))
        if c and identity.owns_code(c)
    ]
    if not mine and not identity.is_admin:
        raise ProblemError(
            FORBIDDEN,
            "A shipment must name one of your codes (as enterprise, platform, waybill carrier or a leg's "
            "carrier).",
            errors=[{"pointer": "/body/legs/0/carrier_code", "detail": "not one of your codes"}],
        )
    await _known_carriers(session, ctx, identity, data.legs)
    repo = ShipmentRepository(session)
    if data.logistics_code and data.logistics_no:
        existing = await repo.by_waybill(data.logistics_code, data.logistics_no)
        if existing is not None and rules.owns(rules.Viewer.of(identity), existing):
            raise ProblemError(
                CONFLICT,
                f"Waybill {data.logistics_code}/{data.logistics_no} already has a shipment; add legs to it.",
                shipment_id=existing.id,
            )
    shipment = Shipment(
        id=str(uuid.uuid4()),
        direction=data.direction,
        customs_mode=data.customs_mode,
        order_no=data.order_no,
        ebc_code=data.ebc_code,
        ebp_code=data.ebp_code,
        logistics_code=data.logistics_code,
        logistics_no=data.logistics_no,
        bill_no=data.bill_no,
        country=data.country,
        enterprise_party_id=identity.party_id
        if identity.has_role("ecommerce_enterprise", "ecommerce_platform")
        else None,
        carrier_party_id=identity.party_id
        if data.logistics_code and identity.owns_code(data.logistics_code)
        else None,
        created_by_party_id=identity.party_id,
        origin="api",
        exceptions={},
        revision=0,
        created_at=now,
        updated_at=now,
    )
    legs = [
        _leg(
            shipment.id,
            i,
            leg.role,
            leg.mode,
            "api",
            leg.carrier_code.strip(),
            leg.operated_by,
            leg.tracking_number,
            now,
            leg,
        )
        for i, leg in enumerate(data.legs, start=1)
    ]
    repo.add(shipment)
    for leg in legs:
        repo.add(leg)
    await repo.flush()
    extra = {
        leg.id: rules.numbers_of(list(src.numbers.items())) for leg, src in zip(legs, data.legs, strict=True)
    }
    await _numbers(repo, shipment, legs, extra, now)
    await _created(session, publisher, ctx, shipment, legs, "api", now)
    return shipment


async def readable(
    session: AsyncSession, identity: Identity, shipment_id: str
) -> tuple[Shipment, list[Leg], list[str] | None]:
    """The shipment, its legs and the legs the caller may see (None: all), or 404."""
    repo = ShipmentRepository(session)
    shipment = await repo.get(shipment_id)
    if shipment is None:
        raise _not_found()
    legs = (await repo.legs_of([shipment_id]))[shipment_id]
    viewer = rules.Viewer.of(identity)
    allowed = rules.visible_legs(viewer, shipment, legs)
    if allowed is not None and not allowed:
        raise _not_found()
    return shipment, legs, allowed


async def _writable(
    session: AsyncSession, identity: Identity, shipment_id: str
) -> tuple[Shipment, list[Leg]]:
    repo = ShipmentRepository(session)
    found = await repo.get(shipment_id)
    if found is None:
        raise _not_found()
    shipment = (await repo.lock([shipment_id]))[shipment_id]
    legs = (await repo.legs_of([shipment_id]))[shipment_id]
    viewer = rules.Viewer.of(identity)
    if not rules.visible(viewer, shipment, legs) or identity.is_regulator:
        raise _not_found()
    return shipment, legs


async def add_leg(
    session: AsyncSession,
    publisher: EventPublisher,
    ctx: LogisticsContext,
    identity: Identity,
    shipment_id: str,
    data: LegIn,
    now: dt.datetime,
) -> Leg:
    """Append a leg (a last mile from a warehouse, a return, a subcontracted stretch)."""
    shipment, legs = await _writable(session, identity, shipment_id)
    if not rules.owns(rules.Viewer.of(identity), shipment):
        raise ProblemError(FORBIDDEN, "Only the shipment's owner or its waybill carrier may add legs.")
    await _known_carriers(session, ctx, identity, [data])
    repo = ShipmentRepository(session)
    leg = _leg(
        shipment.id,
        (legs[-1].sequence if legs else 0) + 1,
        data.role,
        data.mode,
        "api",
        data.carrier_code.strip(),
        data.operated_by,
        data.tracking_number,
        now,
        data,
    )
    repo.add(leg)
    await repo.flush()
    legs.append(leg)
    await _numbers(repo, shipment, [leg], {leg.id: rules.numbers_of(list(data.numbers.items()))}, now)
    numbers = await repo.numbers_of_legs(item.id for item in legs)
    await tracking.attach_orphans(session, shipment, [leg], numbers)
    shipment.updated_at = now
    await _changed(session, publisher, ctx, shipment, legs, numbers, "leg_added", now)
    return leg


async def change_leg(
    session: AsyncSession,
    publisher: EventPublisher,
    ctx: LogisticsContext,
    identity: Identity,
    shipment_id: str,
    leg_id: str,
    data: LegChange,
    now: dt.datetime,
) -> Leg:
    """Replace a leg's number (the old one stays an alias), its plans or places."""
    shipment, legs = await _writable(session, identity, shipment_id)
    leg = next((item for item in legs if item.id == leg_id), None)
    if leg is None:
        raise ProblemError(NOT_FOUND, "No such leg.")
    if not (rules.owns(rules.Viewer.of(identity), shipment) or identity.owns_code(leg.carrier_code)):
        raise _not_found()
    if data.operated_by and data.operated_by not in {e.key for e in ctx.carriers.values()}:
        raise ProblemError(
            VALIDATION_FAILED,
            "Unknown operating carrier.",
            errors=[{"pointer": "/body/operated_by", "detail": "not in the carrier table"}],
        )
    repo = ShipmentRepository(session)
    change = "leg_changed"
    extra = rules.numbers_of(list(data.numbers.items()))
    if data.tracking_number and data.tracking_number != leg.tracking_number:
        await repo.rename_number_kind(leg.id, leg.tracking_number, "alias")
        leg.tracking_number = data.tracking_number
        change = "number_replaced"
    for name in ("planned_departure", "planned_arrival", "operated_by"):
        if getattr(data, name) is not None:
            setattr(leg, name, getattr(data, name))
    if data.mode is not None:
        leg.mode, leg.mode_source = data.mode, "api"
    if data.origin is not None:
        leg.origin_locode, leg.origin_name = data.origin.locode, data.origin.name
    if data.destination is not None:
        leg.destination_locode, leg.destination_name = data.destination.locode, data.destination.name
    leg.updated_at = now
    await _numbers(repo, shipment, [leg], {leg.id: extra}, now)
    numbers = await repo.numbers_of_legs(item.id for item in legs)
    await tracking.attach_orphans(session, shipment, [leg], numbers)
    await _changed(session, publisher, ctx, shipment, legs, numbers, change, now)
    return leg


async def search(session: AsyncSession, identity: Identity, number: str) -> list[Shipment]:
    """Every shipment the caller may see that is known by ``number`` (its own, or a leg's)."""
    repo = ShipmentRepository(session)
    ids = await repo.shipments_by_number(number.strip())
    rows = await repo.many(ids)
    legs = await repo.legs_of(ids)
    viewer = rules.Viewer.of(identity)
    return [rows[i] for i in ids if i in rows and rules.visible(viewer, rows[i], legs[i])]
