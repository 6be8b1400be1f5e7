"""Taking tracking events in, and keeping every shipment's derived state equal to its events.

**Ingest** (:func:`ingest`), in the request's one transaction: each candidate event is
answered on its own — its carrier must be known (the carrier table, or a registered
logistics party's code), an actual event may not lie beyond now plus the tolerance, and
the leg it names must be the caller's (or the caller owns the shipment and relays an
aggregator). An event for a number no leg has yet is kept and attached when the number
appears. The shipments touched are locked (in id order), the new events inserted (the
same event twice is stored once: a deduplication key of its content or its sender's id),
and :func:`refresh` derives every touched shipment again from all of its events.

**Refresh** recomputes a shipment from its events (:mod:`.rules`), stores the result and
publishes what changed: the status (with the first-time flag), the ETA, the customs
milestones (reached or withdrawn), the regulator's figures — and notifications to the
subscribers who may see the shipment. :func:`rebuild` does the same from nothing and
reports where the stored state differs (there should be nowhere).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.logistics import metrics
from services.logistics.adapters.model import (
    CARRIER_UNKNOWN,
    LEG_NOT_YOURS,
    TIME_IN_FUTURE,
    Candidate,
    Parsed,
)
from services.logistics.context import LogisticsContext
from services.logistics.parties.repository import PartyRepository
from services.logistics.shipments.models import Leg, Shipment
from services.logistics.shipments.repository import ShipmentRepository
from services.logistics.shipments.rules import SOURCE_MODES, TRAF_MODES, Viewer, owns
from services.logistics.subscriptions import service as subscriptions
from services.logistics.subscriptions.repository import SubscriptionRepository
from services.logistics.tracking import rules, views
from services.logistics.tracking.models import TrackingEvent
from services.logistics.tracking.repository import TrackingRepository
from shared.events.envelope import EventData
from shared.events.logistics import (
    MILESTONE_MESSAGE,
    Conveyance,
    CustomsMilestoneReached,
    CustomsMilestoneWithdrawn,
    EtaChanged,
    EtaRange,
    JourneyFigures,
    NotificationKind,
    SiteFacts,
    TrackingEventFacts,
    TrackingStatus,
    TrackingStatusChanged,
)
from shared.identity import Identity
from shared.messaging.outbox import EventPublisher
from shared.problems import ProblemType

#: Sources an enterprise may relay for its own shipments (it subscribed to them itself).
RELAYED_SOURCES = frozenset({"aftership", "17track", "generic_json", "generic_csv"})


@dataclass(frozen=True)
class CarrierRef:
    """The carrier an event names: a platform code, a carrier-table key, or neither (the caller)."""

    code: str | None = None
    key: str | None = None


@dataclass
class EventAnswer:
    """What happened to one event of a push."""

    index: int
    outcome: str
    pointer: str
    event_id: str | None = None
    shipment_id: str | None = None
    leg_id: str | None = None
    attached: bool = False
    code: str | None = None
    status: int | None = None
    detail: str | None = None


@dataclass
class IngestResult:
    """Every event's answer, in push order."""

    answers: list[EventAnswer] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        """How many events had this outcome."""
        return sum(1 for a in self.answers if a.outcome == outcome)


def _refuse(index: int, pointer: str, kind: ProblemType, detail: str) -> EventAnswer:
    return EventAnswer(index, "rejected", pointer, code=kind.code, status=kind.status, detail=detail)


def dedup_key(candidate: Candidate, carrier: CarrierRef) -> str:
    """The event's identity: the sender's id when it gives one, else its content."""
    who = carrier.code or carrier.key or ""
    if candidate.native_id:
        parts = [candidate.source, who, candidate.tracking_number, "id", candidate.native_id]
    else:
        mapped = candidate.mapped
        location = candidate.location
        parts = [
            candidate.source,
            who,
            candidate.tracking_number,
            candidate.occurred_at.isoformat(),
            candidate.raw_code or "",
            mapped.status.value if mapped else "",
            mapped.sub_status.value if mapped and mapped.sub_status else "",
            candidate.classifier,
            (location.locode or location.name or "") if location else "",
            candidate.retracts or "",
        ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


async def resolve_carriers(
    session: AsyncSession, ctx: LogisticsContext, identity: Identity, candidates: Sequence[Candidate]
) -> dict[int, CarrierRef | None]:
    """Each candidate's carrier, or None when nobody knows it."""
    named = {c.carrier for c in candidates if c.carrier}
    parties = await PartyRepository(session).by_codes(named)
    keys = {entry.key for entry in ctx.carriers.values()}
    found: dict[int, CarrierRef | None] = {}
    for candidate in candidates:
        value = candidate.carrier
        if value is None:
            found[candidate.index] = CarrierRef()
            continue
        entry = ctx.carrier(candidate.carrier_scheme, value)
        if entry is not None:
            found[candidate.index] = CarrierRef(key=entry.key)
        elif identity.owns_code(value):
            found[candidate.index] = CarrierRef(code=value)
        elif value.upper() in parties and "logistics_firm" in parties[value.upper()].roles:
            found[candidate.index] = CarrierRef(code=value)
        elif candidate.carrier_scheme == "code" and value.lower() in keys:
            found[candidate.index] = CarrierRef(key=value.lower())
        else:
            found[candidate.index] = None
    return found


def _compatible(leg: Leg, carrier: CarrierRef) -> bool:
    if carrier.code:
        return leg.carrier_code == carrier.code or (
            carrier.key is not None and leg.operated_by == carrier.key
        )
    if carrier.key:
        return leg.operated_by in (None, carrier.key)
    return True


def _choose(legs: list[tuple[Leg, str]], carrier: CarrierRef, identity: Identity) -> Leg | None:
    fitting = [leg for leg, _kind in legs if _compatible(leg, carrier)]
    if not fitting:
        return None
    mine = [leg for leg in fitting if identity.owns_code(leg.carrier_code)]
    return (mine or fitting)[0]


def may_report(identity: Identity, leg: Leg, shipment: Shipment, source: str) -> bool:
    """The leg's carrier, an administrator, or the shipment's owner relaying an aggregator."""
    if identity.is_admin or identity.owns_code(leg.carrier_code):
        return True
    return source in RELAYED_SOURCES and owns(Viewer.of(identity), shipment) and not identity.is_regulator


def _row(
    candidate: Candidate,
    carrier: CarrierRef,
    leg: Leg | None,
    identity: Identity,
    key: str,
    now: dt.datetime,
) -> dict[str, Any]:
    mapped = candidate.mapped
    location = candidate.location
    return {
        "id": str(uuid.uuid4()),
        "dedup_key": key,
        "shipment_id": leg.shipment_id if leg else None,
        "leg_id": leg.id if leg else None,
        "carrier_code": carrier.code,
        "carrier_key": carrier.key,
        "tracking_number": candidate.tracking_number[:64],
        "source": candidate.source,
        "native_id": candidate.native_id,
        "occurred_at": candidate.occurred_at,
        "utc_offset_minutes": candidate.utc_offset_minutes,
        "recorded_at": candidate.recorded_at,
        "received_at": now,
        "status": mapped.status.value if mapped else None,
        "sub_status": mapped.sub_status.value if mapped and mapped.sub_status else None,
        "reason": mapped.reason.value if mapped and mapped.reason else None,
        "customs_clearance": bool(mapped and mapped.customs_clearance),
        "mapped": bool(mapped is None or mapped.mapped),
        "classifier": candidate.classifier,
        "raw_code": candidate.raw_code[:64] if candidate.raw_code else None,
        "raw_text": rules.mask_text(candidate.raw_text[:500]) if candidate.raw_text else None,
        "locode": location.locode if location else None,
        "location_name": location.name if location else None,
        "country": location.country if location else None,
        "facility_code": location.facility_code if location else None,
        "facility_type": location.facility_type if location else None,
        "retracts": candidate.retracts,
        "eta_earliest": candidate.eta[0] if candidate.eta else None,
        "eta_latest": candidate.eta[1] if candidate.eta else None,
        "conveyance": candidate.conveyance.model_dump(exclude_none=True) if candidate.conveyance else None,
        "pushed_by_party_id": identity.party_id,
        "pushed_by_codes": sorted({c.code for c in identity.codes}),
    }


async def ingest(
    session: AsyncSession,
    publisher: EventPublisher,
    ctx: LogisticsContext,
    identity: Identity,
    parsed: Parsed,
    now: dt.datetime,
) -> IngestResult:
    """Answer, store and apply every event of a push (see the module docstring)."""
    answers: dict[int, EventAnswer] = {
        r.index: _refuse(r.index, r.pointer, r.kind, r.detail) for r in parsed.refusals
    }
    carriers = await resolve_carriers(session, ctx, identity, parsed.candidates)
    tolerance = dt.timedelta(minutes=ctx.settings.future_tolerance_minutes)
    shipments = ShipmentRepository(session)
    legs_by_number = await shipments.legs_by_numbers({c.tracking_number for c in parsed.candidates})
    owners = await shipments.many({leg.shipment_id for found in legs_by_number.values() for leg, _k in found})
    accepted: list[tuple[Candidate, CarrierRef, Leg | None]] = []
    for candidate in parsed.candidates:
        carrier = carriers[candidate.index]
        if carrier is None:
            answers[candidate.index] = _refuse(
                candidate.index,
                candidate.pointer,
                CARRIER_UNKNOWN,
                f"carrier {candidate.carrier!r} ({candidate.carrier_scheme}) is not known to the platform",
            )
            continue
        if candidate.classifier == "actual" and candidate.occurred_at > now + tolerance:
            answers[candidate.index] = _refuse(
                candidate.index,
                candidate.pointer,
                TIME_IN_FUTURE,
                f"{candidate.occurred_at.isoformat()} is more than {ctx.settings.future_tolerance_minutes} "
                "minutes ahead of now",
            )
            continue
        leg = _choose(legs_by_number.get(candidate.tracking_number, []), carrier, identity)
        if leg is not None:
            if not may_report(identity, leg, owners[leg.shipment_id], candidate.source):
                answers[candidate.index] = _refuse(
                    candidate.index,
                    candidate.pointer,
                    LEG_NOT_YOURS,
                    f"{candidate.tracking_number} is a leg of another carrier",
                )
                continue
        elif carrier.code is not None and not (identity.owns_code(carrier.code) or identity.is_admin):
            answers[candidate.index] = _refuse(
                candidate.index,
                candidate.pointer,
                LEG_NOT_YOURS,
                f"carrier {carrier.code} is another party; only it may report its numbers",
            )
            continue
        accepted.append((candidate, carrier, leg))
    touched = sorted({leg.shipment_id for _c, _r, leg in accepted if leg is not None})
    locked = await shipments.lock(touched)
    rows = []
    keys: dict[int, str] = {}
    for candidate, carrier, leg in accepted:
        keys[candidate.index] = dedup_key(candidate, carrier)
        rows.append(_row(candidate, carrier, leg, identity, keys[candidate.index], now))
    tracking = TrackingRepository(session)
    new_keys = await tracking.insert_new(rows)
    stored = await tracking.ids_by_dedup(keys.values())
    numbers: list[dict[str, Any]] = []
    mode_hints: dict[str, str] = {}
    for candidate, _carrier, leg in accepted:
        key = keys[candidate.index]
        event_id, shipment_id, leg_id = stored[key]
        new = key in new_keys
        answers[candidate.index] = EventAnswer(
            candidate.index,
            "accepted" if new else "duplicate",
            candidate.pointer,
            event_id=event_id,
            shipment_id=shipment_id,
            leg_id=leg_id,
            attached=leg_id is not None,
        )
        metrics.TRACKING_EVENTS.labels(candidate.source, "accepted" if new else "duplicate").inc()
        if new and candidate.mapped is not None and not candidate.mapped.mapped:
            metrics.UNMAPPED_CODES.labels(candidate.source).inc()
        if leg is not None and new:
            numbers += [
                {
                    "leg_id": leg.id,
                    "shipment_id": leg.shipment_id,
                    "number": value,
                    "kind": kind,
                    "created_at": now,
                }
                for kind, value in candidate.numbers
                if value
            ]
            hint = SOURCE_MODES.get(candidate.source) or _conveyance_mode(candidate.conveyance)
            if hint and leg.mode_source == "default":
                mode_hints[leg.id] = hint
    for answer in answers.values():
        if answer.outcome == "rejected":
            metrics.TRACKING_EVENTS.labels("push", "rejected").inc()
    if numbers:
        await shipments.add_leg_numbers(numbers)
    for legs in (await shipments.legs_of(touched)).values():
        for leg in legs:
            if leg.id in mode_hints:
                leg.mode, leg.mode_source = mode_hints[leg.id], "events"
    if locked and (new_keys or mode_hints):
        await refresh(session, publisher, ctx, list(locked), now)
    return IngestResult([answers[i] for i in sorted(answers)])


def _conveyance_mode(conveyance: Conveyance | None) -> str | None:
    return TRAF_MODES.get(conveyance.traf_mode or "") if conveyance else None


async def attach_orphans(
    session: AsyncSession, shipment: Shipment, legs: Sequence[Leg], numbers: dict[str, list[tuple[str, str]]]
) -> int:
    """Give events kept for numbers of these legs to the legs (if their sender may report them)."""
    by_number: dict[str, list[Leg]] = {}
    for leg in legs:
        for _kind, number in numbers.get(leg.id, []) + [("tracking", leg.tracking_number)]:
            by_number.setdefault(number, []).append(leg)
    tracking = TrackingRepository(session)
    orphans = await tracking.orphans(by_number)
    attached = 0
    for event in orphans:
        carrier = CarrierRef(event.carrier_code, event.carrier_key)
        for leg in by_number.get(event.tracking_number, []):
            if not _compatible(leg, carrier) or not _may_attach(event, leg, shipment):
                continue
            await tracking.attach([event.id], shipment.id, leg.id)
            attached += 1
            break
    return attached


def _may_attach(event: TrackingEvent, leg: Leg, shipment: Shipment) -> bool:
    if event.source in ("customs", "platform") or leg.carrier_code in event.pushed_by_codes:
        return True
    viewer = Viewer(event.pushed_by_party_id, frozenset(event.pushed_by_codes), frozenset())
    return event.source in RELAYED_SOURCES and owns(viewer, shipment)


async def sweep_orphans(
    session: AsyncSession, publisher: EventPublisher, ctx: LogisticsContext, now: dt.datetime
) -> int:
    """Attach kept events whose number a leg has meanwhile (a race with the leg's creation)."""
    tracking = TrackingRepository(session)
    wanted = await tracking.orphan_numbers(500)
    shipments = ShipmentRepository(session)
    found = await shipments.legs_by_numbers(wanted)
    ids = sorted({leg.shipment_id for legs in found.values() for leg, _k in legs})
    if not ids:
        return 0
    locked = await shipments.lock(ids)
    legs = await shipments.legs_of(ids)
    attached = 0
    for sid, shipment in locked.items():
        numbers = await shipments.numbers_of_legs(leg.id for leg in legs[sid])
        attached += await attach_orphans(session, shipment, legs[sid], numbers)
    if attached:
        await refresh(session, publisher, ctx, ids, now)
    return attached


# --- deriving and publishing ------------------------------------------------------------------


def _apply(row: Shipment | Leg, state: rules.LegState | rules.ShipmentState) -> None:
    row.status = state.status.value
    row.sub_status = state.sub_status.value if state.sub_status else None
    row.reason = state.reason.value if state.reason else None
    row.status_since = state.status_since
    row.started_at = state.started_at
    row.delivered_at = state.delivered_at
    row.last_event_at = state.last_event_at
    row.eta_earliest = state.eta.earliest if state.eta else None
    row.eta_latest = state.eta.latest if state.eta else None
    row.eta_source = state.eta.source if state.eta else None
    row.first_eta_earliest = state.first_eta.earliest if state.first_eta else None
    row.first_eta_latest = state.first_eta.latest if state.first_eta else None
    row.first_eta_source = state.first_eta.source if state.first_eta else None
    row.punctuality = state.punctuality


DERIVED = (
    "status",
    "sub_status",
    "reason",
    "status_since",
    "started_at",
    "delivered_at",
    "last_event_at",
    "eta_earliest",
    "eta_latest",
    "eta_source",
    "first_eta_earliest",
    "first_eta_latest",
    "first_eta_source",
    "punctuality",
)
FIGURES = ("status", "route", "started_at", "delivered_at", "customs_hours", "exceptions", "punctuality")


def _snapshot(row: Any, names: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}


def derive(
    shipment: Shipment, legs: Sequence[Leg], events: Sequence[TrackingEvent]
) -> tuple[dict[str, rules.LegState], rules.ShipmentState]:
    """The derived state of one shipment (pure, from stored rows)."""
    return rules.derive_shipment(
        views.shipment_view(shipment),
        [views.leg_view(leg) for leg in legs],
        [views.event_view(e) for e in events],
    )


async def refresh(
    session: AsyncSession,
    publisher: EventPublisher,
    ctx: LogisticsContext,
    shipment_ids: Sequence[str],
    now: dt.datetime,
) -> None:
    """Derive these (locked) shipments from their events, store it, publish what changed."""
    shipments = ShipmentRepository(session)
    tracking = TrackingRepository(session)
    rows = await shipments.many(shipment_ids)
    legs = await shipments.legs_of(shipment_ids)
    events = await tracking.of_shipments(shipment_ids)
    milestones = await tracking.milestones(shipment_ids)
    numbers = await shipments.numbers_of_legs(leg.id for ls in legs.values() for leg in ls)
    staged: list[tuple[EventData, str]] = []
    # Everything a shipment's loop below would ask the database one shipment at a time is
    # asked once for the batch: the subscriptions that may follow any of them, and which
    # status changes are a first time (a push touches ~50 shipments; 75 round trips → 2).
    derived = {sid: derive(rows[sid], legs[sid], events[sid]) for sid in rows}
    leg_numbers_of = {
        sid: sorted({n for leg in legs[sid] for _k, n in numbers.get(leg.id, [])}) for sid in rows
    }
    candidates = await SubscriptionRepository(session).matching(
        pair for sid in rows for pair in subscriptions.pairs_of(rows[sid], leg_numbers_of[sid])
    )
    changed = [
        (sid, state.status.value, state.status_since or now)
        for sid, (_legs, state) in derived.items()
        if (rows[sid].status, rows[sid].sub_status)
        != (state.status.value, state.sub_status.value if state.sub_status else None)
        and any(e.id == state.latest_event_id for e in events[sid])
    ]
    firsts = await tracking.first_times(changed) if changed else set()
    for sid in sorted(rows):
        shipment = rows[sid]
        leg_states, state = derived[sid]
        for leg in legs[sid]:
            _apply(leg, leg_states[leg.id])
        before = _snapshot(shipment, DERIVED + FIGURES)
        _apply(shipment, state)
        shipment.route = state.route
        shipment.customs_hours = str(state.customs_hours) if state.customs_hours is not None else None
        shipment.exceptions = state.exceptions
        after = _snapshot(shipment, DERIVED + FIGURES)
        if after == before:
            await _publish_milestones(
                session, publisher, shipment, state, events[sid], milestones[sid], now, staged
            )
            continue
        shipment.revision += 1
        shipment.updated_at = now
        by_id = {e.id: e for e in events[sid]}
        latest = by_id.get(state.latest_event_id or "")
        leg_numbers = leg_numbers_of[sid]
        facts = views.shipment_facts(shipment, legs[sid], numbers)
        eta = views.eta_range(shipment.eta_earliest, shipment.eta_latest, shipment.eta_source)

        async def tell(
            kind: NotificationKind,
            first: bool,
            latest_facts: TrackingEventFacts | None,
            *,
            _shipment: Shipment = shipment,
            _legs: list[Leg] = legs[sid],
            _numbers: list[str] = leg_numbers,
            _state: rules.ShipmentState = state,
            _eta: EtaRange | None = eta,
        ) -> None:
            await subscriptions.notify(
                session,
                publisher,
                _shipment,
                _legs,
                _numbers,
                kind=kind,
                status=_state.status,
                sub_status=_state.sub_status,
                first_in_status=first,
                eta=_eta,
                punctuality=_state.punctuality,
                latest_event=latest_facts,
                now=now,
                candidates=candidates,
            )

        if (before["status"], before["sub_status"]) != (
            after["status"],
            after["sub_status"],
        ) and latest is not None:
            first = sid in firsts
            latest_facts = views.event_facts(latest, shipment.direction)
            staged.append(
                (
                    TrackingStatusChanged(
                        shipment=facts,
                        leg_id=state.leg_id,
                        previous_status=TrackingStatus(before["status"]) if before["status"] else None,
                        previous_sub_status=before["sub_status"],
                        status=state.status,
                        sub_status=state.sub_status,
                        reason=state.reason,
                        first_in_status=first,
                        eta=eta,
                        punctuality=state.punctuality,
                        latest_event=latest_facts,
                        occurred_at=state.status_since or now,
                    ),
                    sid,
                )
            )
            await tell("status_changed", first, latest_facts)
        if (before["eta_earliest"], before["eta_latest"]) != (
            after["eta_earliest"],
            after["eta_latest"],
        ) and eta:
            first_eta = views.eta_range(
                shipment.first_eta_earliest, shipment.first_eta_latest, shipment.first_eta_source
            )
            staged.append(
                (
                    EtaChanged(
                        shipment_id=sid,
                        leg_id=state.leg_id,
                        eta=eta,
                        first_eta=first_eta or eta,
                        punctuality=state.punctuality,
                        occurred_at=now,
                    ),
                    sid,
                )
            )
            await tell("eta_changed", False, None)
        if (
            _snapshot(shipment, FIGURES) != {k: before[k] for k in FIGURES}
            or before["status"] != after["status"]
        ):
            staged.append((_figures(shipment, state, legs[sid], now), sid))
        await _publish_milestones(
            session, publisher, shipment, state, events[sid], milestones[sid], now, staged
        )
    if staged:
        await publisher.stage_many(session, staged)


def _figures(
    shipment: Shipment, state: rules.ShipmentState, legs: Sequence[Leg], now: dt.datetime
) -> JourneyFigures:
    border = next((leg for leg in legs if leg.role == "linehaul"), legs[0] if legs else None)
    mode = state.mode or (border.mode if border else "express")
    route = state.route or rules._mode_route(mode)
    return JourneyFigures.model_validate(
        {
            "shipment_id": shipment.id,
            "revision": shipment.revision,
            "direction": shipment.direction,
            "customs_mode": shipment.customs_mode,
            "mode": mode,
            "route": route,
            "enterprise_party_id": shipment.enterprise_party_id,
            "ebc_code": shipment.ebc_code,
            "carrier_code": border.carrier_code if border else shipment.logistics_code,
            "status": state.status,
            "started_at": state.started_at,
            "delivered_at": state.delivered_at,
            "transit_hours": state.transit_hours,
            "customs_hours": state.customs_hours,
            "punctuality": state.punctuality,
            "exceptions": [{"kind": k, "count": v} for k, v in state.exceptions.items()],
            "occurred_at": now,
        }
    )


async def _publish_milestones(
    session: AsyncSession,
    publisher: EventPublisher,
    shipment: Shipment,
    state: rules.ShipmentState,
    events: Sequence[TrackingEvent],
    stored: dict[str, Any],
    now: dt.datetime,
    staged: list[tuple[EventData, str]],
) -> None:
    tracking = TrackingRepository(session)
    by_id = {e.id: e for e in events}
    for milestone in ("arrival", "departure", "signed_for"):
        event_id = state.milestones.get(milestone)
        row = stored.get(milestone)
        milestone_id = f"{shipment.id}:{milestone}"
        if event_id is not None and (
            row is None or row.state != "reached" or row.tracking_event_id != event_id
        ):
            event = by_id[event_id]
            staged.append((_reached(shipment, milestone, milestone_id, event), shipment.id))
            await tracking.save_milestone(
                {
                    "id": milestone_id,
                    "shipment_id": shipment.id,
                    "milestone": milestone,
                    "tracking_event_id": event_id,
                    "occurred_at": event.occurred_at,
                    "state": "reached",
                    "updated_at": now,
                }
            )
        elif event_id is None and row is not None and row.state == "reached":
            staged.append(
                (
                    CustomsMilestoneWithdrawn(
                        milestone_id=milestone_id,
                        milestone=milestone,
                        shipment_id=shipment.id,
                        reason="the event that reached it was retracted",
                        occurred_at=now,
                    ),
                    shipment.id,
                )
            )
            await tracking.save_milestone(
                {
                    "id": milestone_id,
                    "shipment_id": shipment.id,
                    "milestone": milestone,
                    "tracking_event_id": None,
                    "occurred_at": None,
                    "state": "withdrawn",
                    "updated_at": now,
                }
            )


def _reached(
    shipment: Shipment, milestone: str, milestone_id: str, event: TrackingEvent
) -> CustomsMilestoneReached:
    conveyance = views.conveyance_of(event)
    traf_mode = (conveyance.traf_mode if conveyance else None) or shipment.traf_mode
    assert shipment.logistics_code and shipment.logistics_no
    typed: dict[str, Any] = {
        "milestone": milestone,
        "message_type": MILESTONE_MESSAGE[milestone],
        "direction": shipment.direction,
        "customs_mode": shipment.customs_mode,
    }
    return CustomsMilestoneReached(
        milestone_id=milestone_id,
        shipment_id=shipment.id,
        **typed,
        logistics_code=shipment.logistics_code,
        logistics_no=shipment.logistics_no,
        carrier_party_id=shipment.carrier_party_id,
        occurred_at=event.occurred_at,
        tracking_event_id=event.id,
        site=SiteFacts(
            customs_code=shipment.customs_code,
            loct_no=shipment.loct_no,
            location=views.location_of(event),
        ),
        conveyance=Conveyance(
            traf_mode=traf_mode,
            traf_name=(conveyance.traf_name if conveyance else None) or shipment.traf_name,
            voyage_no=(conveyance.voyage_no if conveyance else None) or shipment.voyage_no,
            bill_no=(conveyance.bill_no if conveyance else None) or shipment.bill_no,
            domestic_traf_no=conveyance.domestic_traf_no if conveyance else None,
            total_package_no=conveyance.total_package_no if conveyance else None,
        ),
    )


async def rebuild(
    session: AsyncSession, shipment_ids: Sequence[str]
) -> dict[str, dict[str, tuple[Any, Any]]]:
    """Derive the shipments from nothing but their events; where stored and derived differ.

    An empty answer means the live state equals the rebuild, as it always should.
    """
    shipments = ShipmentRepository(session)
    rows = await shipments.many(shipment_ids)
    legs = await shipments.legs_of(shipment_ids)
    events = await TrackingRepository(session).of_shipments(shipment_ids)
    differences: dict[str, dict[str, tuple[Any, Any]]] = {}
    for sid, shipment in rows.items():
        leg_states, state = derive(shipment, legs[sid], events[sid])
        found: dict[str, tuple[Any, Any]] = {}
        for leg in legs[sid]:
            probe = Leg()
            _apply(probe, leg_states[leg.id])
            for name in DERIVED:
                if getattr(probe, name) != getattr(leg, name):
                    found[f"leg {leg.sequence} {name}"] = (getattr(leg, name), getattr(probe, name))
        probe_shipment = Shipment()
        _apply(probe_shipment, state)
        for name in DERIVED:
            if getattr(probe_shipment, name) != getattr(shipment, name):
                found[name] = (getattr(shipment, name), getattr(probe_shipment, name))
        if state.route != shipment.route:
            found["route"] = (shipment.route, state.route)
        if found:
            differences[sid] = found
    return differences
