"""Rendering a journey's steps in each carrier's own format, as that carrier would push them.

Post legs speak UPU EMSEVT (XML), air legs IATA Cargo-IMP FSU (text, station-local times),
sea, ferry, rail and road legs DCSA Track & Trace (JSON), domestic express Kdniao (the whole
trace list every time, as Kdniao pushes it). A step whose format has no code for it — a loss
declared after the track went silent, damage outside Kdniao, a hold or a delay the airline or
the ocean carrier does not report — and a leg whose number the format cannot carry (a post
leg without an S10 item id, an air leg without an AWB) go in the platform's own batch
(``/v1/logistics/events``), which carriers use too. The statuses of that batch are looked up
in the source's own mapping table, so they mean exactly what the native code means.

Times: a step's push is due ``hours × delay_scale`` after the leg started, and it is stamped
with that instant minus one second (Cargo-IMP: one minute) per step still to come (never in the future,
strictly
increasing even at scale 0 and at Cargo-IMP's one-minute precision). Every event carries a
stable id where its format has one, and the same content otherwise, so a step pushed twice is
the same event twice — stored once.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zlib
from dataclasses import dataclass
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from services.logistics.adapters.fsu import awb_valid, stations
from services.logistics.adapters.tables import table
from services.logistics.adapters.upu import s10_valid
from services.logistics.simulator.journeys import RAIL_BORDERS, Journey, Step

UPU = {
    "accepted": "EMA",
    "site_arrival": "EMB",
    "export_customs": "EXA",
    "departed": "EMC",
    "arrived": "EMD",
    "import_customs": "EDB",
    "held": "EME",
    "released": "EDC",
    "sorting": "EDD",
    "delivery_office": "EMG",
    "delayed": "EDF",
    "out_for_delivery": "EDG",
    "delivered": "EMI",
}
FSU = {
    "booked": "BKD",
    "site_arrival": "RCS",
    "loaded": "MAN",
    "departed": "DEP",
    "arrived": "ARR",
    "discharged": "RCF",
    "import_customs": "CRC",
    "released": "CCD",
    "notified": "NFD",
    "delivered": "DLV",
}
DCSA = {
    "booked": "SHIPMENT:RECE",
    "site_arrival": "EQUIPMENT:GTIN",
    "loaded": "EQUIPMENT:LOAD",
    "departed": "TRANSPORT:DEPA",
    "border_arrival": "TRANSPORT:ARRI@BORD",
    "border_departure": "TRANSPORT:DEPA@BORD",
    "arrived": "TRANSPORT:ARRI",
    "discharged": "EQUIPMENT:DISC",
    "held": "EQUIPMENT:INSP",
    "released": "SHIPMENT:RELS",
    "gate_out": "EQUIPMENT:GTOT",
    "delivered": "EQUIPMENT:DROP",
}
KDNIAO = {
    "picked_up": "1",
    "transit_centre": "204",
    "departed": "206",
    "delivery_city": "201",
    "import_customs": "602",
    "held": "604",
    "released": "603",
    "delayed": "417",
    "damaged": "414",
    "out_for_delivery": "202",
    "delivered": "301",
}
#: Source → (route slug, its codes, its mapping table).
SOURCES = {
    "upu": ("upu-emsevt", UPU, "upu_emsevt"),
    "fsu": ("iata-fsu", FSU, "iata_fsu"),
    "dcsa": ("dcsa", DCSA, "dcsa"),
    "kdniao": ("kdniao", KDNIAO, "kdniao"),
}
#: Steps no native format names: the carrier states them in the platform's batch.
OWN: dict[str, tuple[str, str | None, str | None]] = {
    "delayed": ("exception", "delayed", "carrier_delay"),
    "held": ("exception", "customs_held", "customs_inspection"),
    "damaged": ("exception", "damaged", "damaged"),
    "lost": ("exception", "lost", "lost"),
}
_ZONES = {
    "CN": "Asia/Shanghai",
    "KR": "Asia/Seoul",
    "JP": "Asia/Tokyo",
    "KZ": "Asia/Almaty",
    "RU": "Europe/Moscow",
    "PL": "Europe/Warsaw",
    "DE": "Europe/Berlin",
}
_FOREIGN = {
    "post": ("KRSEL", "Seoul"),
    "express": ("KRSEL", "Seoul"),
    "air": ("KRSEL", "Seoul Incheon"),
    "sea": ("KRINC", "Incheon"),
    "road": ("KZALA", "Almaty"),
}
_HOME = ("CNLYG", "Lianyungang")
_VEHICLE = {"sea": "VESSEL", "rail": "RAIL", "road": "TRUCK"}
_CONVEYANCE = {"sea": ("ZIYULAN", "2605E"), "rail": ("X8015", "CR2605"), "road": ("TIR-LYG-01", "R2605")}
#: The native format of each mode (what its carriers push).
_NATIVE_OF = {"post": "upu", "air": "fsu", "sea": "dcsa", "rail": "dcsa", "road": "dcsa", "express": "kdniao"}
_AWB = re.compile(r"^(\d{3})-(\d{8})$")


@dataclass(frozen=True)
class LegFacts:
    """What the simulator knows of a leg (from the service's own tables)."""

    leg_id: str
    shipment_id: str
    tracking_number: str
    carrier_code: str
    mode: str
    direction: str
    origin_locode: str | None = None
    origin_name: str | None = None
    destination_locode: str | None = None
    destination_name: str | None = None


@dataclass(frozen=True)
class Place:
    """Where a step happens."""

    locode: str | None
    name: str
    country: str
    facility: str | None = None

    @property
    def zone(self) -> ZoneInfo:
        """The place's time zone (carriers write local times)."""
        return ZoneInfo(_ZONES.get(self.country, "UTC"))


@dataclass(frozen=True)
class Push:
    """One HTTP push: the route, its media type and the native body."""

    path: str
    content_type: str
    body: bytes
    steps: tuple[int, ...]


def source_of(leg: LegFacts) -> str:
    """The native format of ``leg``'s carrier, or ``own`` when its number does not fit one."""
    if leg.mode == "post":
        return "upu" if s10_valid(leg.tracking_number) else "own"
    if leg.mode == "air":
        found = _AWB.match(leg.tracking_number)
        return "fsu" if found and awb_valid(found[2]) else "own"
    if leg.mode in _VEHICLE:
        return "dcsa"
    return "kdniao"


def places(leg: LegFacts, journey: Journey) -> dict[str, Place]:
    """The origin, border point and destination of a journey (the leg's own where it has them)."""
    foreign = _FOREIGN.get(leg.mode, _FOREIGN["express"])
    if journey.border:
        name, locode, city = RAIL_BORDERS[journey.border]
        border, foreign = Place(None, name, "CN", "BORD"), (locode, city)
    else:
        border = Place(None, "Khorgos", "CN", "BORD")
    home = _HOME
    start, end = (home, foreign) if leg.direction != "import" else (foreign, home)
    origin = (leg.origin_locode or start[0], leg.origin_name or start[1])
    destination = (leg.destination_locode or end[0], leg.destination_name or end[1])
    return {
        "origin": Place(origin[0], origin[1], origin[0][:2]),
        "border": border,
        "destination": Place(destination[0], destination[1], destination[0][:2]),
    }


def due_at(started: dt.datetime, step: Step, scale: float) -> dt.datetime:
    """When the step's push falls due."""
    return started + dt.timedelta(hours=step.hours * scale)


def spacing(source: str) -> dt.timedelta:
    """The least time between two events of a source: Cargo-IMP writes minutes, the others seconds."""
    return dt.timedelta(minutes=1) if source == "fsu" else dt.timedelta(seconds=1)


def stamp(started: dt.datetime, journey: Journey, index: int, scale: float, source: str) -> dt.datetime:
    """The time the event of step ``index`` happened (see the module docstring), to the second."""
    to_come = len(journey.steps) - 1 - index
    at = due_at(started, journey.steps[index], scale) - to_come * spacing(source)
    return at.replace(microsecond=0)


def first_start(after: dt.datetime, journey: Journey, source: str) -> dt.datetime:
    """The earliest start of a leg whose first event must come after ``after`` (the previous
    leg's handover): its steps are stamped back from their due times."""
    return (after + (len(journey.steps) - 1) * spacing(source) + dt.timedelta(seconds=1)).replace(
        microsecond=0
    )


def render(
    leg: LegFacts, journey: Journey, started: dt.datetime, scale: float, indexes: list[int], sent: int
) -> list[Push]:
    """The pushes of steps ``indexes`` (``sent`` steps went before them)."""
    source = source_of(leg)
    where = places(leg, journey)
    native: list[int] = []
    own: list[int] = []
    codes = SOURCES[source][1] if source in SOURCES else {}
    for index in indexes:
        (native if journey.steps[index].kind in codes else own).append(index)
    pushes: list[Push] = []
    if native:
        if source == "kdniao":
            # Kdniao sends the parcel's whole trace list with each change.
            before = [i for i in range(sent) if journey.steps[i].kind in codes]
            body = _kdniao(leg, journey, started, scale, [*before, *native], where)
        else:
            writer = {"upu": _upu, "fsu": _fsu, "dcsa": _dcsa}[source]
            body = writer(leg, journey, started, scale, native, where)
        slug = SOURCES[source][0]
        media = {"upu": "application/xml", "fsu": "text/plain"}.get(source, "application/json")
        pushes.append(Push(f"/v1/logistics/push/{slug}", media, body, tuple(native)))
    if own:
        body = _own(leg, journey, started, scale, own, where, source)
        pushes.append(Push("/v1/logistics/events", "application/json", body, tuple(own)))
    return pushes


def _event_id(leg: LegFacts, index: int) -> str:
    return f"sim-{leg.leg_id}-{index}"


def _local(
    leg: LegFacts, started: dt.datetime, journey: Journey, index: int, scale: float, place: Place
) -> dt.datetime:
    # The leg's own source sets the spacing, for its steps in the platform's batch too.
    return stamp(started, journey, index, scale, source_of(leg)).astimezone(place.zone)


def _upu(
    leg: LegFacts,
    journey: Journey,
    started: dt.datetime,
    scale: float,
    indexes: list[int],
    where: dict[str, Place],
) -> bytes:
    events = []
    for index in indexes:
        step = journey.steps[index]
        place = where[step.place]
        office = f"{place.locode}A" if place.locode else ""
        when = _local(leg, started, journey, index, scale, place).isoformat()
        events.append(
            f"<Event><EventID>{_event_id(leg, index)}</EventID>"
            f"<MailitemID>{escape(leg.tracking_number)}</MailitemID><EventCode>{UPU[step.kind]}</EventCode>"
            f"<EventDateTime>{when}</EventDateTime><Office>{office}</Office>"
            f"<OfficeName>{escape(place.name)}</OfficeName></Event>"
        )
    return f'<?xml version="1.0" encoding="UTF-8"?><EMSEVT version="3">{"".join(events)}</EMSEVT>'.encode()


def _station(place: Place, fallback: str) -> str:
    for code, row in stations().items():
        if place.locode and row.get("locode") == place.locode:
            return code
    return fallback


def _fsu(
    leg: LegFacts,
    journey: Journey,
    started: dt.datetime,
    scale: float,
    indexes: list[int],
    where: dict[str, Place],
) -> bytes:
    origin = _station(where["origin"], "LYG" if leg.direction != "import" else "ICN")
    destination = _station(where["destination"], "ICN" if leg.direction != "import" else "LYG")
    zones = {origin: ZoneInfo(stations()[origin]["tz"]), destination: ZoneInfo(stations()[destination]["tz"])}
    lines = ["FSU/14", f"{leg.tracking_number}{origin}{destination}/T1K2.0"]
    flight = f"CZ{300 + zlib.crc32(leg.leg_id.encode()) % 600}"
    for index in indexes:
        step = journey.steps[index]
        station = destination if step.place == "destination" else origin
        when = stamp(started, journey, index, scale, "fsu").astimezone(zones[station])
        day = f"{when.day:02d}{when.strftime('%b').upper()}{when:%H%M}"
        code = FSU[step.kind]
        if code in ("MAN", "DEP", "ARR"):
            lines.append(f"{code}/{flight}/{day}/{origin}{destination}/T1K2.0")
        else:
            lines.append(f"{code}/{day}/{station}/T1K2.0")
    return ("\n".join(lines) + "\n").encode("ascii")


def _dcsa(
    leg: LegFacts,
    journey: Journey,
    started: dt.datetime,
    scale: float,
    indexes: list[int],
    where: dict[str, Place],
) -> bytes:
    vehicle = _VEHICLE[leg.mode]
    name, voyage = _CONVEYANCE[leg.mode]
    events = []
    for index in indexes:
        step = journey.steps[index]
        place = where[step.place]
        kind, _, rest = DCSA[step.kind].partition(":")
        code, _, facility = rest.partition("@")
        field = {"SHIPMENT": "shipmentEventTypeCode", "TRANSPORT": "transportEventTypeCode"}.get(
            kind, "equipmentEventTypeCode"
        )
        when = _local(leg, started, journey, index, scale, place).isoformat()
        location: dict[str, str] = {"locationName": place.name}
        if place.locode:
            location["UNLocationCode"] = place.locode
        if facility:
            location["facilityTypeCode"] = facility
        events.append(
            {
                "eventID": _event_id(leg, index),
                "eventType": kind,
                field: code,
                "eventClassifierCode": "ACT",
                "eventDateTime": when,
                "eventCreatedDateTime": when,
                "documentReferences": [
                    {"documentReferenceType": "TRD", "documentReferenceValue": leg.tracking_number}
                ],
                "eventLocation": location,
                "transportCall": {
                    "modeOfTransport": vehicle,
                    "vessel": {"vesselName": name},
                    "exportVoyageNumber": voyage,
                },
            }
        )
    return json.dumps(events, ensure_ascii=False).encode()


def _kdniao(
    leg: LegFacts,
    journey: Journey,
    started: dt.datetime,
    scale: float,
    indexes: list[int],
    where: dict[str, Place],
) -> bytes:
    beijing = ZoneInfo("Asia/Shanghai")
    traces = []
    for index in indexes:
        step = journey.steps[index]
        place = where[step.place]
        when = stamp(started, journey, index, scale, "kdniao").astimezone(beijing)
        description = table("kdniao").rows[KDNIAO[step.kind]].description
        traces.append(
            {
                "AcceptTime": when.strftime("%Y-%m-%d %H:%M:%S"),
                "AcceptStation": f"【{place.name}】{description}",
                "Location": place.name,
                "Action": KDNIAO[step.kind],
            }
        )
    parcel = {
        "ShipperCode": leg.carrier_code,
        "LogisticCode": leg.tracking_number,
        "State": traces[-1]["Action"][:1],
        "StateEx": traces[-1]["Action"],
        "Traces": traces,
    }
    return json.dumps({"EBusinessID": "ddt-sim", "Count": "1", "Data": [parcel]}, ensure_ascii=False).encode()


def _own(
    leg: LegFacts,
    journey: Journey,
    started: dt.datetime,
    scale: float,
    indexes: list[int],
    where: dict[str, Place],
    source: str,
) -> bytes:
    # Where a native code exists, its own table says what it means; else the step's fixed meaning.
    mapping = table(SOURCES[_NATIVE_OF.get(leg.mode, "kdniao")][2])
    codes = SOURCES[_NATIVE_OF.get(leg.mode, "kdniao")][1]
    events = []
    for index in indexes:
        step = journey.steps[index]
        place = where[step.place]
        if step.kind in OWN and (source != "own" or step.kind not in codes):
            status, sub_status, reason = OWN[step.kind]
        else:
            code = codes[step.kind]
            mapped = mapping.lookup(code)
            status = mapped.status.value
            sub_status = mapped.sub_status.value if mapped.sub_status else None
            reason = mapped.reason.value if mapped.reason else None
        event: dict[str, object] = {
            "carrier": leg.carrier_code,
            "tracking_number": leg.tracking_number,
            "event_id": _event_id(leg, index),
            "occurred_at": _local(leg, started, journey, index, scale, place).isoformat(),
            "status": status,
            "code": step.kind,
            "location": {
                k: v
                for k, v in (("locode", place.locode), ("name", place.name), ("country", place.country))
                if v
            },
        }
        if sub_status:
            event["sub_status"] = sub_status
        if reason:
            event["reason"] = reason
        events.append(event)
    return json.dumps({"events": events}, ensure_ascii=False).encode()
