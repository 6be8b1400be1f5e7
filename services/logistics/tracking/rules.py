"""The state of a shipment is a pure function of its events (no I/O, no clock).

Everything the service stores about a leg or a shipment's progress — status, sub-status,
since when, ETA and the first ETA, punctuality, customs milestones, the regulator's figures
— is derived here from the *set* of its events, never from their arrival order, so a late,
duplicated or out-of-order event leaves the same state as an orderly stream, and a
rebuild from the stored events equals the live state (both are tested).

* **Which events count.** Actual events that no other event retracts (by our id or the
  sender's id); estimated and planned events give ETAs only; a pure retraction is no
  event of its own.
* **Order.** By time, then by the status's progress rank, then by the deduplication key
  (a content hash): a total order that does not depend on when an event arrived.
* **A leg's status** is that of its last event, except that a final status (delivered,
  returned, cancelled) sticks — only a return may follow a delivery.
* **A shipment's status** is that of its latest leg with events; "delivered" on a leg
  that is not the last is a handover (in transit, handed over): delivered is final only on
  the last leg. Events on a return leg make the shipment returning, then returned.
* **ETA.** The latest carrier estimate, else the plan, else the platform's own estimate
  (start of the leg + the route's usual transit time); the *first* ETA is the one known
  earliest. Late: delivered after the first ETA's latest time, or (before delivery) an
  estimate or an event already beyond it.
* **Milestones.** Export 9610/9710/9810: the first arrival at the supervised site
  (CEB507) and the first loading or departure of the border-crossing leg (CEB509). Import:
  the delivery on the last leg (CEB513 signed-for).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from services.logistics.adapters.tables import reference
from shared.events.logistics import (
    FINAL_STATUSES,
    Location,
    Punctuality,
    Reason,
    SubStatus,
    TrackingStatus,
)

S = TrackingStatus
U = SubStatus
EXPORT_MILESTONE_MODES = frozenset({"9610", "9710", "9810"})
_ARRIVAL_SUBS = frozenset({U.ARRIVED_AT_SITE})
_DEPARTURE_SUBS = frozenset({U.LOADED, U.DEPARTED})
_CUSTOMS_OPEN = frozenset({U.CUSTOMS_EXPORT_CLEARANCE, U.CUSTOMS_IMPORT_CLEARANCE, U.CUSTOMS_HELD})
_EXCEPTION_KIND = {
    U.CUSTOMS_HELD: "customs_held",
    U.DELAYED: "delayed",
    U.DAMAGED: "damaged",
    U.LOST: "lost",
    U.MISROUTED: "misrouted",
}
_SOURCE_PRIORITY = {"carrier": 0, "planned": 1, "platform": 2}
_HOUR = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Eta:
    """An arrival range, who estimated it, and since when it was known."""

    earliest: dt.datetime
    latest: dt.datetime
    source: str
    known_since: dt.datetime


@dataclass(frozen=True)
class EventView:
    """A stored event as the rules see it."""

    id: str
    leg_id: str | None
    dedup_key: str
    occurred_at: dt.datetime
    status: TrackingStatus | None
    sub_status: SubStatus | None = None
    reason: Reason | None = None
    classifier: str = "actual"
    native_id: str | None = None
    retracts: str | None = None
    recorded_at: dt.datetime | None = None
    received_at: dt.datetime | None = None
    eta: tuple[dt.datetime, dt.datetime] | None = None
    location: Location | None = None
    customs_clearance: bool = False
    source: str = "generic_json"

    @property
    def rank(self) -> int:
        return self.status.rank if self.status else -1


@dataclass(frozen=True)
class LegView:
    """A leg as the rules see it."""

    id: str
    sequence: int
    role: str
    mode: str
    created_at: dt.datetime
    planned_arrival: dt.datetime | None = None
    origin: Location | None = None
    destination: Location | None = None


@dataclass(frozen=True)
class ShipmentView:
    """A shipment as the rules see it."""

    id: str
    direction: str
    customs_mode: str | None
    has_waybill: bool


@dataclass(frozen=True)
class LegState:
    """What a leg's events make of it."""

    status: TrackingStatus = S.PENDING
    sub_status: SubStatus | None = None
    reason: Reason | None = None
    status_since: dt.datetime | None = None
    started_at: dt.datetime | None = None
    delivered_at: dt.datetime | None = None
    last_event_at: dt.datetime | None = None
    eta: Eta | None = None
    first_eta: Eta | None = None
    punctuality: Punctuality = "unknown"
    latest_event_id: str | None = None


@dataclass(frozen=True)
class ShipmentState:
    """What a shipment's events make of it."""

    status: TrackingStatus = S.PENDING
    sub_status: SubStatus | None = None
    reason: Reason | None = None
    status_since: dt.datetime | None = None
    started_at: dt.datetime | None = None
    delivered_at: dt.datetime | None = None
    last_event_at: dt.datetime | None = None
    eta: Eta | None = None
    first_eta: Eta | None = None
    punctuality: Punctuality = "unknown"
    leg_id: str | None = None
    latest_event_id: str | None = None
    route: str | None = None
    mode: str | None = None
    customs_hours: Decimal | None = None
    exceptions: dict[str, int] = field(default_factory=dict)
    milestones: dict[str, str] = field(default_factory=dict)
    """milestone → the id of the event that reached it."""

    @property
    def transit_hours(self) -> Decimal | None:
        """Started → delivered, in hours (two places)."""
        if self.started_at is None or self.delivered_at is None:
            return None
        return _hours(self.delivered_at - self.started_at)


def _hours(delta: dt.timedelta) -> Decimal:
    return (Decimal(int(delta.total_seconds())) / Decimal(3600)).quantize(Decimal("0.01"))


def resolved_sub(event: EventView, direction: str) -> SubStatus | None:
    """The sub-status, with a direction-less customs clearance made the shipment's direction."""
    if event.customs_clearance:
        return U.CUSTOMS_EXPORT_CLEARANCE if direction == "export" else U.CUSTOMS_IMPORT_CLEARANCE
    return event.sub_status


def effective(events: Iterable[EventView]) -> list[EventView]:
    """Events that stand: not retracted, not pure retractions, in the total order."""
    items = list(events)
    withdrawn = {e.retracts for e in items if e.retracts}
    standing = [
        e
        for e in items
        if e.status is not None and e.id not in withdrawn and (e.native_id or "") not in withdrawn
    ]
    return sorted(standing, key=lambda e: (e.occurred_at, e.rank, e.dedup_key))


def _actual(events: Sequence[EventView]) -> list[EventView]:
    return [e for e in events if e.classifier == "actual"]


def _fold(
    actual: Sequence[EventView], direction: str
) -> tuple[S, U | None, Reason | None, dt.datetime | None, EventView | None]:
    status, sub, reason, since, latest = S.PENDING, None, None, None, None
    for event in actual:
        assert event.status is not None
        if status in FINAL_STATUSES and not (
            status is S.DELIVERED and event.status in (S.RETURNING, S.RETURNED)
        ):
            continue
        if event.status is not status:
            since = event.occurred_at
        status, sub, reason, latest = event.status, resolved_sub(event, direction), event.reason, event
    return status, sub, reason, since, latest


def _estimates(events: Sequence[EventView], leg: LegView) -> list[Eta]:
    found: list[Eta] = []
    for event in events:
        known = event.recorded_at or (
            event.occurred_at if event.classifier == "actual" else event.received_at
        )
        known = known or event.occurred_at
        if event.eta is not None:
            found.append(Eta(event.eta[0], event.eta[1], "carrier", known))
        elif event.classifier == "estimated" and event.status in (S.DELIVERED, S.IN_TRANSIT):
            if event.status is S.DELIVERED or event.sub_status in (U.ARRIVED, U.DISCHARGED):
                found.append(Eta(event.occurred_at, event.occurred_at, "carrier", known))
        elif event.classifier == "planned" and (event.status is S.DELIVERED or event.sub_status is U.ARRIVED):
            found.append(Eta(event.occurred_at, event.occurred_at, "planned", known))
    if leg.planned_arrival is not None:
        found.append(Eta(leg.planned_arrival, leg.planned_arrival, "planned", leg.created_at))
    return found


def _pick(candidates: Sequence[Eta], first: bool) -> Eta | None:
    if not candidates:
        return None
    if first:
        return min(candidates, key=lambda e: (e.known_since, _SOURCE_PRIORITY[e.source], e.earliest))
    best_source = min(_SOURCE_PRIORITY[e.source] for e in candidates)
    preferred = [e for e in candidates if _SOURCE_PRIORITY[e.source] == best_source]
    return max(preferred, key=lambda e: (e.known_since, e.latest, e.earliest))


def punctuality(
    first_eta: Eta | None,
    eta: Eta | None,
    delivered_at: dt.datetime | None,
    last_event_at: dt.datetime | None,
) -> Punctuality:
    """``late`` / ``on_time`` against the first ETA, ``unknown`` without one."""
    if first_eta is None:
        return "unknown"
    if delivered_at is not None:
        return "late" if delivered_at > first_eta.latest else "on_time"
    if (eta is not None and eta.earliest > first_eta.latest) or (
        last_event_at is not None and last_event_at > first_eta.latest
    ):
        return "late"
    return "on_time"


def derive_leg(
    leg: LegView, events: Sequence[EventView], direction: str, norm: tuple[int, int] | None
) -> LegState:
    """A leg's state from its effective events (``norm``: the route's usual hours, for the platform ETA)."""
    standing = effective(events)
    actual = _actual(standing)
    status, sub, reason, since, latest = _fold(actual, direction)
    started = actual[0].occurred_at if actual else None
    delivered = min((e.occurred_at for e in actual if e.status is S.DELIVERED), default=None)
    if status is not S.DELIVERED and status not in (S.RETURNING, S.RETURNED):
        delivered = None
    last = max((e.occurred_at for e in actual), default=None)
    candidates = _estimates(standing, leg)
    if started is not None and norm is not None:
        candidates.append(Eta(started + norm[0] * _HOUR, started + norm[1] * _HOUR, "platform", started))
    eta, first_eta = _pick(candidates, first=False), _pick(candidates, first=True)
    return LegState(
        status=status,
        sub_status=sub,
        reason=reason,
        status_since=since,
        started_at=started,
        delivered_at=delivered,
        last_event_at=last,
        eta=eta,
        first_eta=first_eta,
        punctuality=punctuality(first_eta, eta, delivered, last),
        latest_event_id=latest.id if latest else None,
    )


def border_leg(legs: Sequence[LegView]) -> LegView | None:
    """The leg that crosses the border: the first linehaul leg, else the first leg."""
    forward = [leg for leg in sorted(legs, key=lambda leg: leg.sequence) if leg.role != "return"]
    return next((leg for leg in forward if leg.role == "linehaul"), forward[0] if forward else None)


def derive_shipment(
    shipment: ShipmentView,
    legs: Sequence[LegView],
    events: Sequence[EventView],
    norms: Mapping[str, tuple[int, int]] | None = None,
) -> tuple[dict[str, LegState], ShipmentState]:
    """Every leg's state and the shipment's, from the shipment's events."""
    ordered = sorted(legs, key=lambda leg: leg.sequence)
    by_leg: dict[str, list[EventView]] = {leg.id: [] for leg in ordered}
    for event in events:
        if event.leg_id in by_leg:
            by_leg[event.leg_id].append(event)
    border = border_leg(ordered)
    route = route_of(border, by_leg.get(border.id, []) if border else [])
    norms = norms if norms is not None else route_norms()
    states: dict[str, LegState] = {}
    for leg in ordered:
        norm = norms.get(route) if leg is border and route else norms.get(_mode_route(leg.mode))
        states[leg.id] = derive_leg(leg, by_leg[leg.id], shipment.direction, norm)
    forward = [leg for leg in ordered if leg.role != "return"]
    returns = [leg for leg in ordered if leg.role == "return" and states[leg.id].started_at is not None]
    if not ordered:
        return states, ShipmentState()
    status: TrackingStatus
    sub: SubStatus | None
    if returns:
        deciding = returns[-1]
        leg_state = states[deciding.id]
        if leg_state.status is S.DELIVERED:
            status, sub = S.RETURNED, U.RETURN_SIGNED
        elif leg_state.status in (S.EXCEPTION, S.RETURNED, S.CANCELLED):
            status, sub = leg_state.status, leg_state.sub_status
        else:
            status, sub = S.RETURNING, U.RETURN_TO_SENDER
        reason, since = leg_state.reason, leg_state.status_since
    else:
        with_events = [leg for leg in forward if states[leg.id].started_at is not None]
        deciding = with_events[-1] if with_events else (forward[0] if forward else ordered[0])
        leg_state = states[deciding.id]
        status, sub, reason, since = (
            leg_state.status,
            leg_state.sub_status,
            leg_state.reason,
            leg_state.status_since,
        )
        if status is S.DELIVERED and forward and deciding is not forward[-1]:
            status, sub, reason = S.IN_TRANSIT, U.HANDED_OVER, None
    last_forward = forward[-1] if forward else deciding
    destination = (
        states[last_forward.id] if states[last_forward.id].first_eta else states[(border or deciding).id]
    )
    delivered = states[last_forward.id].delivered_at if status is S.DELIVERED else None
    started = min((s.started_at for s in states.values() if s.started_at), default=None)
    last = max((s.last_event_at for s in states.values() if s.last_event_at), default=None)
    standing = effective(events)
    actual = [e for e in _actual(standing) if e.leg_id in by_leg]
    state = ShipmentState(
        status=status,
        sub_status=sub,
        reason=reason,
        status_since=since,
        started_at=started,
        delivered_at=delivered,
        last_event_at=last,
        eta=destination.eta,
        first_eta=destination.first_eta,
        punctuality=punctuality(destination.first_eta, destination.eta, delivered, last),
        leg_id=deciding.id,
        latest_event_id=leg_state.latest_event_id,
        route=route,
        mode=border.mode if border else None,
        customs_hours=customs_hours(actual, shipment.direction),
        exceptions=exception_counts(actual, shipment.direction),
        milestones=milestones(shipment, forward, border, actual, status),
    )
    return states, state


def milestones(
    shipment: ShipmentView,
    forward: Sequence[LegView],
    border: LegView | None,
    actual: Sequence[EventView],
    status: TrackingStatus,
) -> dict[str, str]:
    """The customs milestones the track has reached: milestone → event id."""
    if not shipment.has_waybill:
        return {}
    found: dict[str, str] = {}
    forward_ids = {leg.id for leg in forward}
    if shipment.direction == "export" and shipment.customs_mode in EXPORT_MILESTONE_MODES:
        arrival = next((e for e in actual if e.leg_id in forward_ids and e.sub_status in _ARRIVAL_SUBS), None)
        if arrival is not None:
            found["arrival"] = arrival.id
        departure = next(
            (
                e
                for e in actual
                if border is not None and e.leg_id == border.id and e.sub_status in _DEPARTURE_SUBS
            ),
            None,
        )
        if departure is not None:
            found["departure"] = departure.id
    elif shipment.direction == "import" and forward and status is S.DELIVERED:
        last = forward[-1].id
        delivery = next((e for e in actual if e.leg_id == last and e.status is S.DELIVERED), None)
        if delivery is not None:
            found["signed_for"] = delivery.id
    return found


def customs_hours(actual: Sequence[EventView], direction: str) -> Decimal | None:
    """Time spent between entering customs (clearance or a hold) and leaving it, in hours."""
    total = dt.timedelta(0)
    opened: dt.datetime | None = None
    seen = False
    for event in actual:
        sub = resolved_sub(event, direction)
        if sub in _CUSTOMS_OPEN:
            seen = True
            opened = opened or event.occurred_at
        elif opened is not None:
            total += event.occurred_at - opened
            opened = None
    if not seen:
        return None
    return _hours(total)


def exception_counts(actual: Sequence[EventView], direction: str) -> dict[str, int]:
    """How often each kind of exception began (a repeated report of the same one counts once)."""
    counts: dict[str, int] = {}
    previous: str | None = None
    for event in actual:
        kind: str | None = None
        sub = resolved_sub(event, direction)
        if event.status is S.FAILED_ATTEMPT:
            kind = "failed_attempt"
        elif event.status in (S.RETURNING, S.RETURNED):
            kind = "returned"
        elif event.status is S.EXCEPTION:
            kind = _EXCEPTION_KIND.get(sub, "other") if sub else "other"
        if kind is not None and kind != previous and not (kind == "returned" and "returned" in counts):
            counts[kind] = counts.get(kind, 0) + 1
        previous = kind
    return dict(sorted(counts.items()))


# --- routes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RouteRule:
    """A regulator route: a mode and the places a border leg must touch."""

    route: str
    mode: str
    requires: frozenset[str]
    hours: tuple[int, int]


@cache
def _places() -> tuple[tuple[str, str | None, tuple[str, ...]], ...]:
    return tuple(
        (
            row["key"],
            row["locode"] or None,
            tuple(a.strip().lower() for a in row["aliases"].split(";") if a.strip()),
        )
        for row in reference("places")
    )


@cache
def route_rules() -> tuple[RouteRule, ...]:
    """The route table (``data/routes.csv``)."""
    return tuple(
        RouteRule(
            row["route"],
            row["mode"],
            frozenset(k for k in row["requires"].split(";") if k),
            (int(row["min_hours"]), int(row["max_hours"])),
        )
        for row in reference("routes")
    )


def route_norms() -> dict[str, tuple[int, int]]:
    """route → (min hours, max hours) of its usual transit."""
    return {rule.route: rule.hours for rule in route_rules()}


def _mode_route(mode: str) -> str:
    catch_all = [rule.route for rule in route_rules() if rule.mode == mode and not rule.requires]
    return catch_all[0] if catch_all else mode


def places_of(locations: Iterable[Location | None]) -> set[str]:
    """The place keys a set of locations touches (by UN/LOCODE, or a name containing an alias)."""
    found: set[str] = set()
    for location in locations:
        if location is None:
            continue
        name = (location.name or "").lower()
        facility = (location.facility_code or "").lower()
        for key, locode, aliases in _places():
            if (locode and location.locode == locode) or any(a in name or a in facility for a in aliases):
                found.add(key)
    return found


def route_of(border: LegView | None, events: Sequence[EventView]) -> str | None:
    """The regulator route of a shipment, told by its border leg's mode and places."""
    if border is None:
        return None
    places = places_of([border.origin, border.destination, *(e.location for e in events)])
    for rule in route_rules():
        if rule.mode == border.mode and rule.requires <= places:
            return rule.route
    return None


# --- personal data in carrier text -------------------------------------------------------------

_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[- ]?(\d{3,4})(\d{4})(?!\d)")
_SIGNER = re.compile(
    r"((?:签收人|收件人|签收|代收人|recipient|signed by|received by)\s*[:：为是]?\s*)"
    r"([^\s,，。;；()（）]{1,20})",
    re.I,
)


def mask_text(text: str | None) -> str | None:
    """Carrier text with phone numbers and the names of signers masked (it reaches no event)."""
    if not text:
        return text
    masked = _PHONE.sub(lambda m: f"{m[1]}****{m[3]}", text)
    masked = _LANDLINE.sub(lambda m: f"{m[1]}-****{m[3]}", masked)
    return _SIGNER.sub(lambda m: m[1] + (m[2][0] + "*" * (len(m[2]) - 1) if m[2] else ""), masked)
