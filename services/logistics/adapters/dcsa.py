"""DCSA Track & Trace 2.x and 3 events (sea, the ferry, rail through BORD/WAYP facilities), JSON.

A push is a list of events (or ``{"events": [...]}``). Version 2 events are flat; version 3
events split ``metadata`` (eventID, eventCreatedDateTime, retractedEventID) from
``payload``; both are read. An event's code is its eventType and the code of that type
(``EQUIPMENT:LOAD``, ``TRANSPORT:DEPA``, ``SHIPMENT:RELS``), made more specific by the
facility type where the meaning depends on it (``TRANSPORT:ARRI@BORD`` — a train at the
border point). eventClassifierCode PLN / EST / ACT becomes the classifier; an estimated
arrival is an ETA. The parcel is found by its transport document (TRD), then its booking
(BKG), then its equipment (container) number; the others are kept as its numbers.
"""

from __future__ import annotations

from typing import Any

from services.logistics.adapters.common import check_size, each, load_json, text, utc
from services.logistics.adapters.model import (
    EVENT_INVALID,
    MALFORMED_PUSH,
    Candidate,
    Parsed,
    PushError,
    Refusal,
)
from services.logistics.adapters.tables import table
from services.logistics.adapters.times import offset_minutes, parse_iso
from shared.events.logistics import Conveyance, Location

_CLASSIFIERS = {"ACT": "actual", "EST": "estimated", "PLN": "planned"}
_CODE_FIELD = {
    "SHIPMENT": "shipmentEventTypeCode",
    "TRANSPORT": "transportEventTypeCode",
    "EQUIPMENT": "equipmentEventTypeCode",
}
_TRAF_MODE = {"VESSEL": "2", "BARGE": "2", "RAIL": "3", "TRUCK": "4"}


def _location(event: dict[str, Any]) -> Location | None:
    place = event.get("eventLocation") or (event.get("transportCall") or {}).get("location") or {}
    call = event.get("transportCall") or {}
    locode = text(place.get("UNLocationCode") or call.get("UNLocationCode"), 5)
    facility_type = text(place.get("facilityTypeCode") or call.get("facilityTypeCode"), 8)
    facility = text(place.get("facilityCode") or call.get("facilityCode"), 35)
    name = text(place.get("locationName"), 200)
    if not any((locode, facility_type, facility, name)):
        return None
    return Location(
        locode=locode.upper() if locode else None,
        name=name,
        country=locode[:2].upper() if locode else None,
        facility_code=facility,
        facility_type=facility_type.upper() if facility_type else None,
    )


def _references(event: dict[str, Any]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for ref in event.get("documentReferences") or []:
        if isinstance(ref, dict) and text(ref.get("documentReferenceValue"), 64):
            kind = {"TRD": "transport_document", "BKG": "booking"}.get(
                str(ref.get("documentReferenceType")), "reference"
            )
            found.append((kind, str(ref["documentReferenceValue"]).strip()[:64]))
    for key, kind in (
        ("transportDocumentReference", "transport_document"),
        ("carrierBookingReference", "booking"),
    ):
        if text(event.get(key), 64):
            found.append((kind, str(event[key]).strip()[:64]))
    if text(event.get("equipmentReference"), 64):
        found.append(("container", str(event["equipmentReference"]).strip()[:64]))
    return found


def parse(body: bytes, limit: int) -> Parsed:
    """DCSA events → candidates and per-event refusals."""
    data = load_json(body)
    base = ""
    if isinstance(data, dict) and isinstance(data.get("events"), list):
        data, base = data["events"], "/events"
    if not isinstance(data, list):
        raise PushError(MALFORMED_PUSH, "a DCSA push is a list of events")
    check_size(len(data), limit)
    mapping = table("dcsa")
    parsed = Parsed()

    def read(index: int, pointer: str, item: Any) -> None:
        if not isinstance(item, dict):
            parsed.refusals.append(Refusal(index, pointer, EVENT_INVALID, "an event is a JSON object"))
            return
        metadata: dict[str, Any] = item["metadata"] if isinstance(item.get("metadata"), dict) else {}
        event: dict[str, Any] = item["payload"] if isinstance(item.get("payload"), dict) else item
        event_id = text(metadata.get("eventID") or event.get("eventID"), 128)
        retracts = text(metadata.get("retractedEventID") or event.get("retractedEventID"), 128)
        created = metadata.get("eventCreatedDateTime") or event.get("eventCreatedDateTime")
        numbers = _references(event)
        if not numbers:
            parsed.refusals.append(
                Refusal(
                    index, pointer, EVENT_INVALID, "no transport document, booking or equipment reference"
                )
            )
            return
        event_type = str(event.get("eventType") or "").upper()
        if retracts and event_type not in _CODE_FIELD:
            occurred = parse_iso(created or event.get("eventDateTime"))
            parsed.candidates.append(
                Candidate(
                    index,
                    pointer,
                    "dcsa",
                    numbers[0][1],
                    utc(occurred),
                    None,
                    native_id=event_id,
                    retracts=retracts,
                    carrier=text(event.get("carrierCode"), 8),
                    carrier_scheme="scac",
                    numbers=tuple(numbers[1:]),
                )
            )
            return
        if event_type not in _CODE_FIELD:
            parsed.refusals.append(
                Refusal(
                    index,
                    f"{pointer}/eventType",
                    EVENT_INVALID,
                    "eventType is SHIPMENT, TRANSPORT or EQUIPMENT",
                )
            )
            return
        code = str(event.get(_CODE_FIELD[event_type]) or "").upper()
        classifier = _CLASSIFIERS.get(str(event.get("eventClassifierCode") or "").upper())
        if not code or classifier is None:
            parsed.refusals.append(
                Refusal(
                    index,
                    pointer,
                    EVENT_INVALID,
                    f"{_CODE_FIELD[event_type]} and eventClassifierCode are required",
                )
            )
            return
        occurred = parse_iso(event.get("eventDateTime"))
        location = _location(event)
        key = f"{event_type}:{code}"
        facility = location.facility_type if location else None
        call = event.get("transportCall") or {}
        vessel = call.get("vessel") or {}
        mode = str(call.get("modeOfTransport") or "").upper()
        conveyance = Conveyance(
            traf_mode=_TRAF_MODE.get(mode),
            traf_name=text(vessel.get("vesselName") or call.get("vesselName"), 100),
            voyage_no=text(
                call.get("exportVoyageNumber")
                or call.get("carrierExportVoyageNumber")
                or call.get("carrierVoyageNumber"),
                32,
            ),
            bill_no=next((v for k, v in numbers if k == "transport_document"), None),
        )
        eta = (
            (utc(occurred), utc(occurred))
            if classifier == "estimated" and event_type == "TRANSPORT"
            else None
        )
        parsed.candidates.append(
            Candidate(
                index=index,
                pointer=pointer,
                source="dcsa",
                tracking_number=numbers[0][1],
                occurred_at=utc(occurred),
                utc_offset_minutes=offset_minutes(occurred),
                recorded_at=utc(parse_iso(created)) if created else None,
                mapped=mapping.lookup(f"{key}@{facility}" if facility else None, key),
                carrier=text(event.get("carrierCode"), 8),
                carrier_scheme="scac",
                native_id=event_id,
                raw_code=key,
                raw_text=text(event.get("eventDescription") or event.get("description"), 500),
                classifier=classifier,  # type: ignore[arg-type]
                location=location,
                retracts=retracts,
                eta=eta,
                conveyance=conveyance,
                numbers=tuple(numbers[1:]),
            )
        )

    each(data, base, parsed, read)
    return parsed
