"""Stored shipments → their answers (pure)."""

from __future__ import annotations

import datetime as dt

from services.logistics.shipments.models import Leg, Shipment
from services.logistics.shipments.schemas import (
    LegOut,
    SearchHit,
    ShipmentOut,
    ShipmentSummary,
    TimelineEvent,
)
from services.logistics.tracking.models import TrackingEvent
from services.logistics.tracking.rules import resolved_sub
from services.logistics.tracking.views import eta_range, event_view, location_of
from shared.events.logistics import Location, Reason, SubStatus, TrackingStatus


def _place(locode: str | None, name: str | None) -> Location | None:
    return Location(locode=locode, name=name) if locode or name else None


def leg_out(leg: Leg, numbers: list[tuple[str, str]]) -> LegOut:
    """A leg's answer."""
    return LegOut(
        id=leg.id,
        sequence=leg.sequence,
        role=leg.role,
        mode=leg.mode,
        carrier_code=leg.carrier_code,
        operated_by=leg.operated_by,
        tracking_number=leg.tracking_number,
        numbers=[{"kind": kind, "number": number} for kind, number in numbers],
        origin=_place(leg.origin_locode, leg.origin_name),
        destination=_place(leg.destination_locode, leg.destination_name),
        planned_departure=leg.planned_departure,
        planned_arrival=leg.planned_arrival,
        status=TrackingStatus(leg.status),
        sub_status=SubStatus(leg.sub_status) if leg.sub_status else None,
        status_since=leg.status_since,
        last_event_at=leg.last_event_at,
        eta=eta_range(leg.eta_earliest, leg.eta_latest, leg.eta_source),
        first_eta=eta_range(leg.first_eta_earliest, leg.first_eta_latest, leg.first_eta_source),
        punctuality=leg.punctuality,
    )


def shipment_out(
    shipment: Shipment, legs: list[Leg], numbers: dict[str, list[tuple[str, str]]], allowed: list[str] | None
) -> ShipmentOut:
    """A shipment's answer (a carrier sees only its own legs)."""
    shown = [leg for leg in legs if allowed is None or leg.id in allowed]
    return ShipmentOut(
        id=shipment.id,
        direction=shipment.direction,
        customs_mode=shipment.customs_mode,
        order_no=shipment.order_no,
        ebc_code=shipment.ebc_code,
        ebp_code=shipment.ebp_code,
        logistics_code=shipment.logistics_code,
        logistics_no=shipment.logistics_no,
        cop_no=shipment.cop_no,
        invt_no=shipment.invt_no,
        bill_no=shipment.bill_no,
        customs_code=shipment.customs_code,
        route=shipment.route,
        origin=shipment.origin,
        status=TrackingStatus(shipment.status),
        sub_status=SubStatus(shipment.sub_status) if shipment.sub_status else None,
        reason=Reason(shipment.reason) if shipment.reason else None,
        status_since=shipment.status_since,
        started_at=shipment.started_at,
        delivered_at=shipment.delivered_at,
        last_event_at=shipment.last_event_at,
        eta=eta_range(shipment.eta_earliest, shipment.eta_latest, shipment.eta_source),
        first_eta=eta_range(
            shipment.first_eta_earliest, shipment.first_eta_latest, shipment.first_eta_source
        ),
        punctuality=shipment.punctuality,
        customs_hours=shipment.customs_hours,
        exceptions=shipment.exceptions or {},
        legs=[leg_out(leg, numbers.get(leg.id, [])) for leg in shown],
        created_at=shipment.created_at,
        updated_at=shipment.updated_at,
    )


def summary(shipment: Shipment) -> ShipmentSummary:
    """A shipment in a list."""
    return ShipmentSummary(
        id=shipment.id,
        direction=shipment.direction,
        customs_mode=shipment.customs_mode,
        order_no=shipment.order_no,
        logistics_no=shipment.logistics_no,
        status=TrackingStatus(shipment.status),
        sub_status=SubStatus(shipment.sub_status) if shipment.sub_status else None,
        eta=eta_range(shipment.eta_earliest, shipment.eta_latest, shipment.eta_source),
        punctuality=shipment.punctuality,
        created_at=shipment.created_at,
    )


def hit(shipment: Shipment) -> SearchHit:
    """A search result."""
    return SearchHit(
        shipment_id=shipment.id,
        direction=shipment.direction,
        order_no=shipment.order_no,
        logistics_no=shipment.logistics_no,
        status=TrackingStatus(shipment.status),
    )


def timeline_event(event: TrackingEvent, retracted: set[str], direction: str) -> TimelineEvent:
    """A timeline entry (the sender's local time shown with its offset)."""
    local = None
    if event.utc_offset_minutes is not None:
        local = event.occurred_at.astimezone(
            dt.timezone(dt.timedelta(minutes=event.utc_offset_minutes))
        ).isoformat()
    return TimelineEvent(
        id=event.id,
        leg_id=event.leg_id,
        occurred_at=event.occurred_at,
        utc_offset_minutes=event.utc_offset_minutes,
        local_time=local,
        status=TrackingStatus(event.status) if event.status else None,
        sub_status=resolved_sub(event_view(event), direction),
        reason=Reason(event.reason) if event.reason else None,
        classifier=event.classifier,  # type: ignore[arg-type]
        source=event.source,  # type: ignore[arg-type]
        raw_code=event.raw_code,
        raw_text=event.raw_text,
        mapped=event.mapped,
        location=location_of(event),
        retracts=event.retracts,
        retracted=event.id in retracted or (event.native_id or "\x00") in retracted,
        received_at=event.received_at,
    )
