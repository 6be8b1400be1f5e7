"""Stored rows → the rules' views and the contract's facts (no I/O)."""

from __future__ import annotations

from services.logistics.shipments.models import Leg, Shipment
from services.logistics.tracking import rules
from services.logistics.tracking.models import TrackingEvent
from shared.events.logistics import (
    Conveyance,
    EtaRange,
    LegFacts,
    Location,
    Reason,
    ShipmentFacts,
    SubStatus,
    TrackingEventFacts,
    TrackingStatus,
)


def location_of(event: TrackingEvent) -> Location | None:
    """The event's location, if it has one."""
    if not any((event.locode, event.location_name, event.country, event.facility_code)):
        return None
    return Location(
        locode=event.locode,
        name=event.location_name,
        country=event.country,
        facility_code=event.facility_code,
        facility_type=event.facility_type,
    )


def event_view(event: TrackingEvent) -> rules.EventView:
    """What the rules read of an event."""
    return rules.EventView(
        id=event.id,
        leg_id=event.leg_id,
        dedup_key=event.dedup_key,
        occurred_at=event.occurred_at,
        status=TrackingStatus(event.status) if event.status else None,
        sub_status=SubStatus(event.sub_status) if event.sub_status else None,
        reason=Reason(event.reason) if event.reason else None,
        classifier=event.classifier,
        native_id=event.native_id,
        retracts=event.retracts,
        recorded_at=event.recorded_at,
        received_at=event.received_at,
        eta=(event.eta_earliest, event.eta_latest) if event.eta_earliest and event.eta_latest else None,
        location=location_of(event),
        customs_clearance=event.customs_clearance,
        source=event.source,
    )


def leg_view(leg: Leg) -> rules.LegView:
    """What the rules read of a leg."""
    return rules.LegView(
        id=leg.id,
        sequence=leg.sequence,
        role=leg.role,
        mode=leg.mode,
        created_at=leg.created_at,
        planned_arrival=leg.planned_arrival,
        origin=Location(locode=leg.origin_locode, name=leg.origin_name)
        if leg.origin_locode or leg.origin_name
        else None,
        destination=Location(locode=leg.destination_locode, name=leg.destination_name)
        if leg.destination_locode or leg.destination_name
        else None,
    )


def shipment_view(shipment: Shipment) -> rules.ShipmentView:
    """What the rules read of a shipment."""
    return rules.ShipmentView(
        id=shipment.id,
        direction=shipment.direction,
        customs_mode=shipment.customs_mode,
        has_waybill=bool(shipment.logistics_code and shipment.logistics_no),
    )


def event_facts(event: TrackingEvent, direction: str) -> TrackingEventFacts:
    """An event as the contract carries it (no carrier free text)."""
    view = event_view(event)
    return TrackingEventFacts(
        event_id=event.id,
        leg_id=event.leg_id,
        occurred_at=event.occurred_at,
        utc_offset_minutes=event.utc_offset_minutes,
        status=TrackingStatus(event.status or "pending"),
        sub_status=rules.resolved_sub(view, direction),
        reason=view.reason,
        classifier=event.classifier,  # type: ignore[arg-type]
        raw_code=event.raw_code,
        source=event.source,  # type: ignore[arg-type]
        location=view.location,
        retracts=event.retracts,
    )


def eta_range(earliest: object, latest: object, source: str | None) -> EtaRange | None:
    """An ETA range from stored columns."""
    if earliest is None or latest is None or source is None:
        return None
    return EtaRange(earliest=earliest, latest=latest, source=source)  # type: ignore[arg-type]


def leg_facts(leg: Leg, numbers: list[tuple[str, str]]) -> LegFacts:
    """A leg as the contract carries it."""
    return LegFacts(
        leg_id=leg.id,
        sequence=leg.sequence,
        role=leg.role,  # type: ignore[arg-type]
        mode=leg.mode,  # type: ignore[arg-type]
        carrier_code=leg.carrier_code,
        tracking_number=leg.tracking_number,
        aliases=sorted({n for kind, n in numbers if n != leg.tracking_number}),
        origin=Location(locode=leg.origin_locode, name=leg.origin_name)
        if leg.origin_locode or leg.origin_name
        else None,
        destination=Location(locode=leg.destination_locode, name=leg.destination_name)
        if leg.destination_locode or leg.destination_name
        else None,
        planned_departure=leg.planned_departure,
        planned_arrival=leg.planned_arrival,
        status=TrackingStatus(leg.status),
        sub_status=SubStatus(leg.sub_status) if leg.sub_status else None,
    )


def shipment_facts(
    shipment: Shipment, legs: list[Leg], numbers: dict[str, list[tuple[str, str]]]
) -> ShipmentFacts:
    """A shipment as the contract carries it."""
    return ShipmentFacts(
        shipment_id=shipment.id,
        direction=shipment.direction,  # type: ignore[arg-type]
        customs_mode=shipment.customs_mode,  # type: ignore[arg-type]
        order_no=shipment.order_no,
        logistics_code=shipment.logistics_code,
        logistics_no=shipment.logistics_no,
        invt_nos=[shipment.invt_no] if shipment.invt_no else [],
        bill_no=shipment.bill_no,
        ebc_code=shipment.ebc_code,
        enterprise_party_id=shipment.enterprise_party_id,
        carrier_party_id=shipment.carrier_party_id,
        country=shipment.country,
        route=shipment.route,  # type: ignore[arg-type]
        legs=[leg_facts(leg, numbers.get(leg.id, [])) for leg in legs],
        status=TrackingStatus(shipment.status),
        sub_status=SubStatus(shipment.sub_status) if shipment.sub_status else None,
        created_at=shipment.created_at,
    )


def conveyance_of(event: TrackingEvent) -> Conveyance | None:
    """The conveyance an event named, if any."""
    return Conveyance.model_validate(event.conveyance) if event.conveyance else None
