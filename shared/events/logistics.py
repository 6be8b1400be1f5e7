"""The logistics contract: the tracking vocabulary and the events the logistics service
publishes (topic ``ddt.logistics.events``).

**Vocabulary.** One normalised status set for every carrier and mode — the crosswalk of
AfterShip, 17TRACK, EasyPost, ShipEngine, Karrio and UPU EMSEVT (peers-and-standards
§1.2) — with a sub-status under each main status and an incident reason beside it, the
way the best peers keep *main status + sub-status + raw carrier code* on every event.
What no peer has: customs sub-statuses for export clearance, import clearance, held and
released, fed both by carriers' customs scans and by the platform's own customs receipts
(the declaration service's events), on one timeline.

**Events.** Shipments (created / changed), tracking (status changed, with the "first time
in this status" flag, the ETA and the latest event; ETA revised; stale), customs
milestones for the declaration service (arrival at the supervised site → CEB507, loading
on the conveyance → CEB509, final delivery of an import → CEB513), journey figures and
logistics costs for statistics, and notifications addressed to one subscriber.

**Who gets a webhook.** The gateway's webhook fan-out delivers every event that names a
``party_id`` (top level or one level down) to that party's subscriptions. Only
:class:`TrackingNotification` names one — the subscriber the logistics service decided
should hear about the change — so internal events (shipment facts, milestones, figures,
costs) name their parties as ``carrier_party_id`` / ``enterprise_party_id`` and are never
delivered by accident, and a subscriber gets one delivery per change.

Payloads never carry personal data: no consignee names, phones or addresses, and no
carrier free text (a carrier's scan text may name the person who signed); the raw text
stays in the logistics service, masked.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.events.declaration import Direction, Mode
from shared.events.envelope import EventData, register_event


class TrackingStatus(StrEnum):
    """The normalised main status of a shipment, a leg or a tracking event."""

    PENDING = "pending"  # registered, nothing heard yet (AfterShip Pending, 17TRACK NotFound)
    INFO_RECEIVED = "info_received"  # the carrier has the data, not the parcel (label, booking)
    IN_TRANSIT = "in_transit"  # moving, or being cleared on the way
    OUT_FOR_DELIVERY = "out_for_delivery"
    AVAILABLE_FOR_PICKUP = "available_for_pickup"  # at a locker, station or counter
    FAILED_ATTEMPT = "failed_attempt"  # a delivery was tried and failed (EMSEVT EMH)
    DELIVERED = "delivered"  # final only on the last leg
    RETURNING = "returning"  # on its way back to the sender
    RETURNED = "returned"  # back with the sender
    EXCEPTION = "exception"  # held, delayed, damaged, lost …
    EXPIRED = "expired"  # no news for too long (AfterShip: 30 days after being added)
    CANCELLED = "cancelled"  # withdrawn before it moved (EMSEVT EXX)

    @property
    def rank(self) -> int:
        """Progress order; breaks ties between events of the same instant (higher is later)."""
        return STATUS_RANK[self]

    @property
    def is_final(self) -> bool:
        """A status a leg never leaves by itself (delivered: only on the last leg)."""
        return self in FINAL_STATUSES


T = TrackingStatus

STATUS_RANK: Mapping[TrackingStatus, int] = MappingProxyType(
    {
        T.PENDING: 0,
        T.INFO_RECEIVED: 10,
        T.IN_TRANSIT: 20,
        T.EXCEPTION: 25,
        T.OUT_FOR_DELIVERY: 30,
        T.AVAILABLE_FOR_PICKUP: 35,
        T.FAILED_ATTEMPT: 40,
        T.DELIVERED: 50,
        T.RETURNING: 60,
        T.RETURNED: 70,
        T.EXPIRED: 80,
        T.CANCELLED: 90,
    }
)

FINAL_STATUSES = frozenset({T.DELIVERED, T.RETURNED, T.CANCELLED})


class SubStatus(StrEnum):
    """What exactly happened, under one main status (:data:`SUB_STATUS_PARENT`)."""

    # info_received
    LABEL_CREATED = "label_created"
    BOOKED = "booked"  # space booked on the flight, vessel or train (FSU BKD, DCSA CONF)
    # in_transit
    PICKED_UP = "picked_up"
    ACCEPTED_AT_ORIGIN = "accepted_at_origin"  # posted / received from shipper (EMSEVT EMA, FSU RCS)
    ARRIVED_AT_FACILITY = "arrived_at_facility"
    DEPARTED_FACILITY = "departed_facility"
    ARRIVED_AT_SITE = "arrived_at_site"  # at the customs-supervised site of export (→ CEB507)
    LOADED = "loaded"  # loaded on the ferry, train, flight or truck crossing the border (→ CEB509)
    DEPARTED = "departed"  # the conveyance left (vessel, train, flight)
    BORDER_CROSSED = "border_crossed"  # a rail or road border point (DCSA BORD facility)
    ARRIVED = "arrived"  # the conveyance arrived at its port, station or airport
    DISCHARGED = "discharged"  # unloaded from the conveyance
    HANDED_OVER = "handed_over"  # to the next carrier (the next leg starts)
    CUSTOMS_EXPORT_CLEARANCE = "customs_export_clearance"
    CUSTOMS_IMPORT_CLEARANCE = "customs_import_clearance"
    CUSTOMS_RELEASED = "customs_released"
    IN_DELIVERY_CITY = "in_delivery_city"
    # out_for_delivery / available_for_pickup
    WITH_COURIER = "with_courier"
    AT_PICKUP_POINT = "at_pickup_point"
    # failed_attempt
    RECIPIENT_UNAVAILABLE = "recipient_unavailable"
    ADDRESS_PROBLEM = "address_problem"
    REFUSED_BY_RECIPIENT = "refused_by_recipient"
    # delivered
    SIGNED = "signed"
    SIGNED_BY_PROXY = "signed_by_proxy"
    DELIVERED_TO_LOCKER = "delivered_to_locker"
    # exception
    CUSTOMS_HELD = "customs_held"
    DELAYED = "delayed"
    DAMAGED = "damaged"
    LOST = "lost"
    MISROUTED = "misrouted"
    OTHER_EXCEPTION = "other_exception"
    # returning / returned / cancelled / expired
    RETURN_TO_SENDER = "return_to_sender"
    RETURN_SIGNED = "return_signed"
    CANCELLED_BY_SHIPPER = "cancelled_by_shipper"
    NO_UPDATES = "no_updates"

    @property
    def parent(self) -> TrackingStatus:
        """The main status this sub-status belongs to."""
        return SUB_STATUS_PARENT[self]

    @property
    def is_customs(self) -> bool:
        """One of the customs sub-statuses (clearance, held, released)."""
        return self in CUSTOMS_SUB_STATUSES


U = SubStatus

SUB_STATUS_PARENT: Mapping[SubStatus, TrackingStatus] = MappingProxyType(
    {
        U.LABEL_CREATED: T.INFO_RECEIVED,
        U.BOOKED: T.INFO_RECEIVED,
        U.PICKED_UP: T.IN_TRANSIT,
        U.ACCEPTED_AT_ORIGIN: T.IN_TRANSIT,
        U.ARRIVED_AT_FACILITY: T.IN_TRANSIT,
        U.DEPARTED_FACILITY: T.IN_TRANSIT,
        U.ARRIVED_AT_SITE: T.IN_TRANSIT,
        U.LOADED: T.IN_TRANSIT,
        U.DEPARTED: T.IN_TRANSIT,
        U.BORDER_CROSSED: T.IN_TRANSIT,
        U.ARRIVED: T.IN_TRANSIT,
        U.DISCHARGED: T.IN_TRANSIT,
        U.HANDED_OVER: T.IN_TRANSIT,
        U.CUSTOMS_EXPORT_CLEARANCE: T.IN_TRANSIT,
        U.CUSTOMS_IMPORT_CLEARANCE: T.IN_TRANSIT,
        U.CUSTOMS_RELEASED: T.IN_TRANSIT,
        U.IN_DELIVERY_CITY: T.IN_TRANSIT,
        U.WITH_COURIER: T.OUT_FOR_DELIVERY,
        U.AT_PICKUP_POINT: T.AVAILABLE_FOR_PICKUP,
        U.RECIPIENT_UNAVAILABLE: T.FAILED_ATTEMPT,
        U.ADDRESS_PROBLEM: T.FAILED_ATTEMPT,
        U.REFUSED_BY_RECIPIENT: T.FAILED_ATTEMPT,
        U.SIGNED: T.DELIVERED,
        U.SIGNED_BY_PROXY: T.DELIVERED,
        U.DELIVERED_TO_LOCKER: T.DELIVERED,
        U.CUSTOMS_HELD: T.EXCEPTION,
        U.DELAYED: T.EXCEPTION,
        U.DAMAGED: T.EXCEPTION,
        U.LOST: T.EXCEPTION,
        U.MISROUTED: T.EXCEPTION,
        U.OTHER_EXCEPTION: T.EXCEPTION,
        U.RETURN_TO_SENDER: T.RETURNING,
        U.RETURN_SIGNED: T.RETURNED,
        U.CANCELLED_BY_SHIPPER: T.CANCELLED,
        U.NO_UPDATES: T.EXPIRED,
    }
)

CUSTOMS_SUB_STATUSES = frozenset(
    {U.CUSTOMS_EXPORT_CLEARANCE, U.CUSTOMS_IMPORT_CLEARANCE, U.CUSTOMS_HELD, U.CUSTOMS_RELEASED}
)


class Reason(StrEnum):
    """Why an exception or failed attempt happened (Karrio's incident reasons, X12 1651, EDIFACT 9013)."""

    CUSTOMS_INSPECTION = "customs_inspection"
    CUSTOMS_DOCUMENTATION = "customs_documentation"
    CUSTOMS_DUTIES_UNPAID = "customs_duties_unpaid"
    CUSTOMS_PROHIBITED = "customs_prohibited"
    CUSTOMS_DETAINED = "customs_detained"
    CARRIER_DELAY = "carrier_delay"
    CAPACITY = "capacity"
    WEATHER = "weather"
    BORDER_CONGESTION = "border_congestion"
    DAMAGED = "damaged"
    LOST = "lost"
    CONSIGNEE_UNAVAILABLE = "consignee_unavailable"
    CONSIGNEE_REFUSED = "consignee_refused"
    ADDRESS_INCORRECT = "address_incorrect"
    SECURITY = "security"
    OTHER = "other"


Classifier = Literal["actual", "estimated", "planned"]
"""DCSA's eventClassifierCode ACT / EST / PLN: only actual events move a status."""

TransportMode = Literal["post", "express", "air", "sea", "rail", "road"]
"""How a leg travels; ``sea`` includes the China–Korea ferry."""

LegRole = Literal["first_mile", "linehaul", "last_mile", "return", "transfer"]
"""What a leg is for: ``linehaul`` crosses the border; ``last_mile`` may start at an overseas
warehouse; ``return`` carries goods back; ``transfer`` moves them between warehouses."""

TrackingSource = Literal[
    "upu_emsevt",
    "iata_fsu",
    "dcsa",
    "kdniao",
    "sf",
    "aftership",
    "17track",
    "generic_json",
    "generic_csv",
    "customs",
    "platform",
]
"""Where an event came from: a carrier format, an aggregator, our own batch, the platform's
customs receipts (``customs``) or the platform itself (stale and expiry rules)."""

CustomsMilestone = Literal["arrival", "departure", "signed_for"]
"""The customs messages the track can file: 运抵 (CEB507), 离境 (CEB509), 签收 (CEB513)."""

MILESTONE_MESSAGE: Mapping[str, str] = MappingProxyType(
    {"arrival": "CEB507", "departure": "CEB509", "signed_for": "CEB513"}
)

MilestoneFiling = Literal["off", "review", "auto"]
"""A logistics firm's choice per milestone message, kept in the gateway's registry: ``off``
(nothing prepared), ``review`` (prepared; the firm reviews, signs and releases it), ``auto``
(the platform files it and its signer signs for the firm)."""

RouteCode = Literal[
    "ferry_lyg_inc",
    "sea_other",
    "rail_khorgos",
    "rail_alashankou",
    "rail_erenhot",
    "rail_manzhouli",
    "rail_other",
    "air",
    "post",
    "express",
    "road",
]
"""The regulator's routes: the Lianyungang–Incheon ferry, the China–Europe trains by their
exit port, air, post (and the rest, so nothing is left out of a total)."""

Punctuality = Literal["on_time", "late", "unknown"]

ExceptionKind = Literal[
    "customs_held", "delayed", "damaged", "lost", "failed_attempt", "returned", "misrouted", "other"
]


class Location(BaseModel):
    """Where an event happened: UN/LOCODE where known, else what the carrier said."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    locode: str | None = Field(default=None, pattern=r"^[A-Z]{2}[A-Z2-9]{3}$")
    name: str | None = Field(default=None, max_length=200)
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")
    facility_code: str | None = Field(default=None, max_length=35)
    facility_type: str | None = Field(
        default=None, max_length=8, description="DCSA facilityTypeCode: POTE, BORD, WAYP, DEPO …"
    )


class EtaRange(BaseModel):
    """An estimated arrival as a range, with who estimated it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    earliest: AwareDatetime
    latest: AwareDatetime
    source: Literal["carrier", "planned", "platform"]


class TrackingEventFacts(BaseModel):
    """One tracking event as it travels in events (no carrier free text)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: str
    leg_id: str | None = None
    occurred_at: AwareDatetime = Field(description="UTC")
    utc_offset_minutes: int | None = Field(
        default=None, ge=-1080, le=1080, description="the offset the carrier wrote the time in"
    )
    status: TrackingStatus
    sub_status: SubStatus | None = None
    reason: Reason | None = None
    classifier: Classifier = "actual"
    raw_code: str | None = Field(default=None, max_length=64)
    source: TrackingSource
    location: Location | None = None
    retracts: str | None = Field(default=None, description="the event this one withdraws")


class LegFacts(BaseModel):
    """One leg of a shipment: who carries it, how, from where to where."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    leg_id: str
    sequence: int = Field(ge=1)
    role: LegRole = "linehaul"
    mode: TransportMode
    carrier_code: str = Field(description="the carrier's customs code or its code on the platform")
    tracking_number: str
    aliases: list[str] = Field(default_factory=list, description="numbers this leg was also known by")
    origin: Location | None = None
    destination: Location | None = None
    planned_departure: AwareDatetime | None = None
    planned_arrival: AwareDatetime | None = None
    status: TrackingStatus = T.PENDING
    sub_status: SubStatus | None = None


class ShipmentFacts(BaseModel):
    """A shipment as the other services see it: its numbers, parties (by code) and legs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    shipment_id: str
    direction: Direction
    customs_mode: Mode | None = None
    order_no: str | None = None
    logistics_code: str | None = Field(default=None, description="the carrier on the customs waybill")
    logistics_no: str | None = Field(default=None, description="the customs waybill number")
    invt_nos: list[str] = Field(default_factory=list, description="customs inventory numbers (清单编号)")
    bill_no: str | None = None
    ebc_code: str | None = None
    enterprise_party_id: str | None = Field(
        default=None, description="the party that declared the goods (statistics count it under this party)"
    )
    carrier_party_id: str | None = Field(default=None, description="the party that filed the waybill")
    country: str | None = Field(default=None, description="partner country, customs code")
    route: RouteCode | None = None
    legs: list[LegFacts] = Field(default_factory=list)
    status: TrackingStatus = T.PENDING
    sub_status: SubStatus | None = None
    created_at: AwareDatetime


@register_event
class ShipmentCreated(EventData):
    """A shipment exists: from an accepted customs waybill (CEB505/CEB511) or through the API."""

    event_type = "ddt.logistics.shipment.created"
    version = 1

    shipment: ShipmentFacts
    origin: Literal["declaration", "api"]


@register_event
class ShipmentChanged(EventData):
    """A shipment's numbers, links or legs changed (a new leg, a replaced number, an inventory)."""

    event_type = "ddt.logistics.shipment.changed"
    version = 1

    shipment: ShipmentFacts
    change: Literal["leg_added", "leg_changed", "number_replaced", "linked", "cancelled"]
    occurred_at: AwareDatetime


@register_event
class TrackingStatusChanged(EventData):
    """The derived status of a shipment (or of one of its legs) changed."""

    event_type = "ddt.logistics.tracking.status_changed"
    version = 1

    shipment: ShipmentFacts
    leg_id: str | None = Field(default=None, description="the leg whose status moved the shipment's")
    previous_status: TrackingStatus | None
    previous_sub_status: SubStatus | None = None
    status: TrackingStatus
    sub_status: SubStatus | None = None
    reason: Reason | None = None
    first_in_status: bool = Field(description="true only the first time the shipment reaches this status")
    eta: EtaRange | None = None
    punctuality: Punctuality = "unknown"
    latest_event: TrackingEventFacts
    occurred_at: AwareDatetime


@register_event
class EtaChanged(EventData):
    """The shipment's estimated arrival moved (the first ETA is kept, to measure lateness)."""

    event_type = "ddt.logistics.shipment.eta_changed"
    version = 1

    shipment_id: str
    leg_id: str | None = None
    eta: EtaRange
    first_eta: EtaRange
    punctuality: Punctuality
    occurred_at: AwareDatetime


@register_event
class TrackingStale(EventData):
    """No event for longer than the mode allows: a parcel may be stuck or lost."""

    event_type = "ddt.logistics.tracking.stale"
    version = 1

    shipment_id: str
    leg_id: str
    mode: TransportMode
    last_event_at: AwareDatetime | None
    hours_without_event: int = Field(ge=0)
    threshold_hours: int = Field(ge=1)
    occurred_at: AwareDatetime


class Conveyance(BaseModel):
    """The means of transport a milestone names (what CEB507/CEB509 heads carry)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    traf_mode: str | None = Field(
        default=None, pattern=r"^[0-9A-Z]$", description="customs transport mode code (JGS-20)"
    )
    traf_name: str | None = Field(default=None, max_length=100, description="vessel, train or flight name")
    voyage_no: str | None = Field(default=None, max_length=32, description="voyage, train or flight number")
    bill_no: str | None = Field(default=None, max_length=37, description="bill of lading / master AWB")
    domestic_traf_no: str | None = Field(
        default=None, max_length=100, description="the vehicle that brought the goods to the site"
    )
    total_package_no: str | None = Field(default=None, max_length=37, description="pallet or mail bag")


class SiteFacts(BaseModel):
    """The customs-supervised site (监管场所) a milestone happened at."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    customs_code: str | None = Field(default=None, pattern=r"^[0-9]{4}$")
    loct_no: str | None = Field(default=None, max_length=10)
    operator_code: str | None = Field(default=None, max_length=18, description="监管场所经营人代码")
    operator_name: str | None = Field(default=None, max_length=100)
    location: Location | None = None


@register_event
class CustomsMilestoneReached(EventData):
    """The track reached a customs milestone; the declaration service files it for the carrier.

    ``milestone_id`` is stable per shipment and milestone (one filing however often the
    event is delivered); a later actual event of the same milestone does not replace it.
    """

    event_type = "ddt.logistics.milestone.reached"
    version = 1

    milestone_id: str
    milestone: CustomsMilestone
    message_type: Literal["CEB507", "CEB509", "CEB513"]
    shipment_id: str
    direction: Direction
    customs_mode: Mode | None = None
    logistics_code: str
    logistics_no: str
    carrier_party_id: str | None = Field(default=None, description="the party the message is filed for")
    occurred_at: AwareDatetime = Field(description="when it happened on the track (UTC)")
    tracking_event_id: str
    site: SiteFacts | None = None
    conveyance: Conveyance | None = None


@register_event
class CustomsMilestoneWithdrawn(EventData):
    """The event behind a milestone was retracted; an unfiled milestone must not be filed."""

    event_type = "ddt.logistics.milestone.withdrawn"
    version = 1

    milestone_id: str
    milestone: CustomsMilestone
    shipment_id: str
    reason: str
    occurred_at: AwareDatetime


class ExceptionCount(BaseModel):
    """How often one kind of exception happened on a shipment."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: ExceptionKind
    count: int = Field(ge=1)


@register_event
class JourneyFigures(EventData):
    """A shipment's transit figures for the regulator view, re-sent whenever they change.

    ``revision`` grows with every change of the shipment: a reader keeps the highest it saw,
    so late or repeated deliveries never move figures back.
    """

    event_type = "ddt.logistics.shipment.figures"
    version = 1

    shipment_id: str
    revision: int = Field(ge=1)
    direction: Direction
    customs_mode: Mode | None = None
    mode: TransportMode = Field(description="the mode of the border-crossing leg")
    route: RouteCode
    enterprise_party_id: str | None = None
    ebc_code: str | None = None
    carrier_code: str | None = None
    status: TrackingStatus
    started_at: AwareDatetime | None = Field(default=None, description="first actual event")
    delivered_at: AwareDatetime | None = None
    transit_hours: Decimal | None = Field(default=None, description="started → delivered, hours")
    customs_hours: Decimal | None = Field(default=None, description="time spent in customs sub-statuses")
    punctuality: Punctuality = "unknown"
    exceptions: list[ExceptionCount] = Field(default_factory=list)
    occurred_at: AwareDatetime


CostKind = Literal["international_freight", "domestic_freight", "insurance", "warehousing", "other"]


@register_event
class LogisticsCostRecorded(EventData):
    """A carrier or enterprise recorded what a shipment's logistics cost (or corrected it).

    A correction names the cost it ``supersedes``; a reader keeps only costs not superseded.
    ``amount`` is exact, in ``currency`` (ISO 4217); ``amount_cny`` at ``cny_rate``.
    """

    event_type = "ddt.logistics.cost.recorded"
    version = 1

    cost_id: str
    shipment_id: str
    kind: CostKind = "international_freight"
    amount: Decimal
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    amount_cny: Decimal
    cny_rate: Decimal
    incurred_on: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", description="Beijing calendar day")
    enterprise_party_id: str | None = None
    ebc_code: str | None = None
    recorded_by_party_id: str
    supersedes: str | None = None
    voided: bool = False
    occurred_at: AwareDatetime


NotificationKind = Literal["status_changed", "eta_changed", "stale", "milestone", "test"]


@register_event
class TrackingNotification(EventData):
    """A change one subscriber asked to hear about; the gateway delivers it to ``party_id``.

    Carries what a receiving system needs without a call back: the numbers the subscriber
    knows the parcel by, the status and sub-status, whether this is the first time in this
    status (notify once per stage), the ETA and the latest event. ``test`` marks a
    test-fire.
    """

    event_type = "ddt.logistics.notification"
    version = 1

    party_id: str = Field(description="the subscriber")
    subscription_id: str
    kind: NotificationKind
    test: bool = False
    shipment_id: str
    order_no: str | None = None
    logistics_no: str | None = None
    tracking_numbers: list[str] = Field(default_factory=list)
    status: TrackingStatus
    sub_status: SubStatus | None = None
    first_in_status: bool = False
    eta: EtaRange | None = None
    punctuality: Punctuality = "unknown"
    latest_event: TrackingEventFacts | None = None
    occurred_at: AwareDatetime


__all__ = [
    "CUSTOMS_SUB_STATUSES",
    "FINAL_STATUSES",
    "MILESTONE_MESSAGE",
    "STATUS_RANK",
    "SUB_STATUS_PARENT",
    "Classifier",
    "Conveyance",
    "CostKind",
    "CustomsMilestone",
    "CustomsMilestoneReached",
    "CustomsMilestoneWithdrawn",
    "EtaChanged",
    "EtaRange",
    "ExceptionCount",
    "ExceptionKind",
    "JourneyFigures",
    "LegFacts",
    "LegRole",
    "Location",
    "LogisticsCostRecorded",
    "MilestoneFiling",
    "NotificationKind",
    "Punctuality",
    "Reason",
    "RouteCode",
    "ShipmentChanged",
    "ShipmentCreated",
    "ShipmentFacts",
    "SiteFacts",
    "SubStatus",
    "TrackingEventFacts",
    "TrackingNotification",
    "TrackingSource",
    "TrackingStale",
    "TrackingStatus",
    "TrackingStatusChanged",
    "TransportMode",
]
