"""What an adapter gives the tracking service: candidate events and per-event refusals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from shared.events.logistics import (
    Classifier,
    Conveyance,
    Location,
    Reason,
    SubStatus,
    TrackingSource,
    TrackingStatus,
)
from shared.problems import ProblemType, problem_type

MALFORMED_PUSH = problem_type(
    "tracking.malformed_push",
    400,
    "The push is not in the format of its route",
    "The body could not be read as the source's format at all (bad JSON, XML, CSV or text); "
    "nothing was stored. Events that can be read are answered one by one instead.",
)
HOSTILE_XML = problem_type(
    "tracking.xml_refused",
    400,
    "The XML was refused by the hardened parser",
    "DOCTYPE, entities, bad encodings, excessive depth or size: the same hardened parser as "
    "customs messages refuses them before reading a byte of content.",
)
BATCH_TOO_LARGE = problem_type(
    "tracking.batch_too_large", 413, "Too many events in one push", "Split the batch; see the limit."
)
EVENT_INVALID = problem_type("tracking.event_invalid", 422, "The event is invalid")
TIME_WITHOUT_ZONE = problem_type(
    "tracking.time_without_zone",
    422,
    "The event time has no time zone",
    "Give an ISO 8601 time with an offset (2026-05-01T10:00:00+08:00); a local time cannot be "
    "placed on a timeline that crosses borders.",
)
TIME_IN_FUTURE = problem_type(
    "tracking.time_in_future",
    422,
    "An actual event lies in the future",
    "Actual events must not be later than now plus the platform's tolerance; send estimates "
    "with the estimated classifier.",
)
CARRIER_UNKNOWN = problem_type(
    "tracking.carrier_unknown",
    422,
    "Unknown carrier",
    "The carrier the event names is neither a registered logistics party's code nor in the "
    "platform's carrier table.",
)
LEG_NOT_YOURS = problem_type(
    "tracking.leg_not_yours",
    403,
    "The event is for another carrier's leg",
    "Only the leg's carrier (or the shipment's owner relaying an aggregator) may report its events.",
)
ALL_REJECTED = problem_type(
    "tracking.all_rejected", 422, "No event of the push was accepted", "Each event's answer says why."
)


@dataclass(frozen=True, slots=True)
class Mapped:
    """A native code translated to the vocabulary (``mapped`` False: the fallback was used)."""

    status: TrackingStatus
    sub_status: SubStatus | None = None
    reason: Reason | None = None
    mapped: bool = True
    customs_clearance: bool = False
    """The table said "customs clearance" without a direction; the shipment's direction decides."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """One event read from a push, not yet authorised or stored."""

    index: int
    pointer: str
    source: TrackingSource
    tracking_number: str
    occurred_at: dt.datetime
    mapped: Mapped | None
    """None for a pure retraction (DCSA v3 ``retractedEventID`` without a payload)."""
    carrier: str | None = None
    carrier_scheme: str = "code"
    """How ``carrier`` is spelt: ``code`` (platform code), ``scac``, ``iata``, ``upu``,
    ``kdniao``, ``aftership``, ``17track``, ``sf``."""
    native_id: str | None = None
    utc_offset_minutes: int | None = None
    recorded_at: dt.datetime | None = None
    raw_code: str | None = None
    raw_text: str | None = None
    classifier: Classifier = "actual"
    location: Location | None = None
    retracts: str | None = None
    eta: tuple[dt.datetime, dt.datetime] | None = None
    conveyance: Conveyance | None = None
    numbers: tuple[tuple[str, str], ...] = ()
    """Other numbers of the same parcel: (kind, value), e.g. ("container", "COSU1234567")."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """An event the push carried that cannot be taken, and why."""

    index: int
    pointer: str
    kind: ProblemType
    detail: str


@dataclass
class Parsed:
    """What a push holds: the events that could be read, and the refusals, by index."""

    candidates: list[Candidate] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)

    @property
    def count(self) -> int:
        """Events in the push."""
        return len(self.candidates) + len(self.refusals)


class PushError(Exception):
    """The whole push is unreadable (400) or too large (413)."""

    def __init__(self, kind: ProblemType, detail: str, pointer: str | None = None) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.pointer = pointer
