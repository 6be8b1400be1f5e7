"""The embedded carrier simulator: finds the service's legs, plays their journeys, pushes them.

Each pass (one replica at a time, an advisory lock on PostgreSQL):

1. **New legs.** A leg without a row gets one: its journey (:func:`.journeys.plan`, from the
   seed and the ids) and native format are decided once and stored, so a restart or a change
   of settings goes on with the same journey. A leg that already has tracking events is left
   to the carrier reporting it (``skipped``).
2. **Start.** A leg starts when every earlier leg of its shipment has been delivered (handed
   over); after a loss the later legs are ``not_reached``.
3. **Due steps.** Steps whose time has come are rendered in the carrier's format
   (:mod:`.formats`) and POSTed to the service's own public route — over HTTP, with an
   identity token naming the carrier party that holds the leg's code, exactly as the gateway
   forwards a carrier's signed push — and the route's adapters, checks and deduplication take
   them like any other. ``steps_sent`` moves only when every push of the pass was answered
   200, so a crash or a refused connection between the push and the row's update sends the
   same steps again: the same event ids and contents, answered ``duplicate`` and stored once.

A push the service refuses (4xx) ends the leg as ``refused`` with the answer in ``note``
(a leg whose carrier is unknown to the platform, say); a 5xx or an unreachable service is
tried again at the next pass.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import logging
from dataclasses import dataclass, field

import httpx
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from services.logistics.parties.repository import PartyRepository
from services.logistics.settings import LogisticsSettings
from services.logistics.shipments.models import Leg
from services.logistics.simulator.formats import LegFacts, Push, due_at, first_start, render, source_of, stamp
from services.logistics.simulator.journeys import Journey, Rates, plan
from services.logistics.simulator.models import SimulatedLeg
from services.logistics.simulator.operations import OperationRates
from services.logistics.simulator.repository import SimulatorRepository
from services.logistics.simulator.warehouses import OperationsConfig, WarehouseSimulator
from shared.db import Database
from shared.identity import IDENTITY_HEADER, Identity, IdentitySigner, PartyCode, private_key_from_seed
from shared.leadership import Leadership, run_while_leading, sleep_unless_stopped
from shared.service import Runtime
from shared.sqltypes import utcnow

log = logging.getLogger("ddt.logistics.carrier_simulator")


def public_key_of(seed_b64: str) -> str:
    """The base64url public key of an Ed25519 seed (what services verify identity tokens with)."""
    raw = private_key_from_seed(seed_b64).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


#: Legs that never cross a border (no customs steps on them).
_DOMESTIC_ROLES = frozenset({"first_mile", "transfer", "return"})


@dataclass(frozen=True)
class SimulatorConfig:
    """The simulator's settings."""

    seed: int = 0
    rates: Rates = field(default_factory=Rates)
    delay_scale: float = 0.001
    batch: int = 200

    @classmethod
    def from_settings(cls, settings: LogisticsSettings) -> SimulatorConfig:
        """From the service settings (``DDT_LOGISTICS_CARRIER_SIMULATOR_*``)."""
        return cls(
            seed=settings.carrier_simulator_seed,
            rates=Rates(
                delay=settings.carrier_simulator_delay_rate,
                hold=settings.carrier_simulator_hold_rate,
                damage=settings.carrier_simulator_damage_rate,
                loss=settings.carrier_simulator_loss_rate,
            ),
            delay_scale=settings.carrier_simulator_delay_scale,
            batch=settings.carrier_simulator_batch,
        )


@dataclass
class PassReport:
    """What one pass did."""

    seen: int = 0
    started: int = 0
    pushes: int = 0
    steps: int = 0
    finished: int = 0
    errors: list[str] = field(default_factory=list)


def journey_of(config: SimulatorConfig, leg: Leg) -> Journey:
    """The journey ``config`` decides for ``leg``."""
    crosses = leg.role not in _DOMESTIC_ROLES
    return plan(config.seed, config.rates, leg.shipment_id, leg.id, leg.mode, crosses)


def facts_of(leg: Leg, direction: str) -> LegFacts:
    """The simulator's view of a leg."""
    return LegFacts(
        leg_id=leg.id,
        shipment_id=leg.shipment_id,
        tracking_number=leg.tracking_number,
        carrier_code=leg.carrier_code,
        mode=leg.mode,
        direction=direction,
        origin_locode=leg.origin_locode,
        origin_name=leg.origin_name,
        destination_locode=leg.destination_locode,
        destination_name=leg.destination_name,
    )


def _last_stamp(row: SimulatedLeg) -> dt.datetime:
    journey = Journey.from_json(row.journey)
    assert row.started_at is not None
    return stamp(row.started_at, journey, len(journey.steps) - 1, row.delay_scale, row.source)


class CarrierSimulator:
    """Plays every leg's journey through ``client`` (the logistics service's own HTTP API)."""

    def __init__(
        self, db: Database, client: httpx.AsyncClient, signer: IdentitySigner, config: SimulatorConfig
    ) -> None:
        self.db = db
        self.client = client
        self.signer = signer
        self.config = config

    async def run_once(self, now: dt.datetime | None = None) -> PassReport:
        """One pass: new legs, starts, due steps (see the module docstring)."""
        now = (now or utcnow()).replace(microsecond=0)
        report = PassReport()
        await self._discover(now, report)
        await self._start(now, report)
        await self._push_due(now, report)
        return report

    async def _discover(self, now: dt.datetime, report: PassReport) -> None:
        async with self.db.transaction() as session:
            repo = SimulatorRepository(session)
            unseen = await repo.unseen_legs(self.config.batch)
            reported = await repo.has_events(leg.id for leg, _d in unseen)
            for leg, direction in unseen:
                journey = journey_of(self.config, leg)
                skipped = leg.id in reported
                repo.add(
                    SimulatedLeg(
                        leg_id=leg.id,
                        shipment_id=leg.shipment_id,
                        sequence=leg.sequence,
                        source=source_of(facts_of(leg, direction)),
                        journey=journey.to_json(),
                        delay_scale=self.config.delay_scale,
                        started_at=None,
                        steps_sent=0,
                        outcome="skipped" if skipped else "playing",
                        note="the leg already had events from its carrier" if skipped else None,
                        finished_at=now if skipped else None,
                        created_at=now,
                        updated_at=now,
                    )
                )
                report.seen += 1

    async def _start(self, now: dt.datetime, report: PassReport) -> None:
        async with self.db.transaction() as session:
            repo = SimulatorRepository(session)
            waiting = [row for row in await repo.open_legs(self.config.batch) if row.started_at is None]
            by_shipment = await repo.of_shipments(row.shipment_id for row in waiting)
            for row in waiting:
                earlier = [r for r in by_shipment[row.shipment_id] if r.sequence < row.sequence]
                if any(r.outcome in ("lost", "refused", "not_reached") for r in earlier):
                    row.outcome, row.finished_at, row.updated_at = "not_reached", now, now
                    report.finished += 1
                elif all(r.finished_at is not None for r in earlier):
                    # The first event comes after the previous leg's handover (its last event).
                    ends = [_last_stamp(r) for r in earlier if r.started_at is not None]
                    journey = Journey.from_json(row.journey)
                    start = max([now, *(first_start(end, journey, row.source) for end in ends)])
                    row.started_at, row.updated_at = start, now
                    report.started += 1

    async def _push_due(self, now: dt.datetime, report: PassReport) -> None:
        async with self.db.transaction() as session:
            repo = SimulatorRepository(session)
            rows = [row for row in await repo.open_legs(self.config.batch) if row.started_at is not None]
            legs = await repo.legs(row.leg_id for row in rows)
            directions = await repo.directions(row.shipment_id for row in rows)
            parties = await PartyRepository(session).by_codes(leg.carrier_code for leg in legs.values())
            work: list[tuple[SimulatedLeg, list[Push], Identity, int]] = []
            for row in rows:
                leg = legs.get(row.leg_id)
                if leg is None or row.started_at is None:
                    continue
                journey = Journey.from_json(row.journey)
                due = [
                    i
                    for i in range(row.steps_sent, len(journey.steps))
                    if due_at(row.started_at, journey.steps[i], row.delay_scale) <= now
                ]
                if not due:
                    continue
                facts = facts_of(leg, directions.get(row.shipment_id, "export"))
                pushes = render(facts, journey, row.started_at, row.delay_scale, due, row.steps_sent)
                party = parties.get(leg.carrier_code.upper())
                identity = Identity(
                    party_id=party.party_id if party else f"carrier:{leg.carrier_code}",
                    party_name=party.name if party else leg.carrier_code,
                    roles=list(party.roles) if party else ["logistics_firm"],
                    codes=[PartyCode(code=leg.carrier_code, kinds=[])],
                    credential_id="carrier-simulator",
                )
                work.append((row, pushes, identity, due[-1] + 1))
        # The pushes go out with no transaction open: the service's own ingest takes the locks.
        results: list[tuple[str, int, str | None]] = []
        for row, pushes, identity, upto in work:
            refused: str | None = None
            ok = True
            for push in pushes:
                try:
                    answer = await self._send(push, identity)
                except httpx.HTTPError as exc:
                    report.errors.append(f"{row.leg_id}: {exc!r}")
                    ok = False
                    break
                report.pushes += 1
                if answer.status_code >= 500:
                    report.errors.append(f"{row.leg_id}: {answer.status_code}")
                    ok = False
                    break
                if answer.status_code != 200:
                    refused = f"{push.path} {answer.status_code}: {answer.text[:240]}"
                    break
            if refused is not None:
                log.warning("carrier simulator push refused", extra={"leg_id": row.leg_id, "answer": refused})
                results.append((row.leg_id, row.steps_sent, refused))
            elif ok:
                report.steps += upto - row.steps_sent
                results.append((row.leg_id, upto, None))
        async with self.db.transaction() as session:
            repo = SimulatorRepository(session)
            for leg_id, sent, refused in results:
                stored = await repo.get(leg_id)
                if stored is None:
                    continue
                journey = Journey.from_json(stored.journey)
                if refused is not None:
                    await repo.mark(leg_id, now, outcome="refused", note=refused[:300], finished_at=now)
                    report.finished += 1
                elif sent >= len(journey.steps):
                    await repo.mark(leg_id, now, steps_sent=sent, outcome=journey.outcome, finished_at=now)
                    report.finished += 1
                else:
                    await repo.mark(leg_id, now, steps_sent=sent)

    async def _send(self, push: Push, identity: Identity) -> httpx.Response:
        token = self.signer.mint(identity, audience="ddt-logistics", method="POST", path=push.path)
        headers = {"content-type": push.content_type, IDENTITY_HEADER: token}
        return await self.client.post(push.path, content=push.body, headers=headers)


def operations_config(settings: LogisticsSettings) -> OperationsConfig:
    """The warehouse and claims simulator's settings (``DDT_LOGISTICS_CARRIER_SIMULATOR_*``)."""
    return OperationsConfig(
        seed=settings.carrier_simulator_seed,
        rates=OperationRates(
            discrepancy=settings.carrier_simulator_discrepancy_rate,
            unsellable=settings.carrier_simulator_unsellable_rate,
            documents=settings.carrier_simulator_documents_rate,
            reject=settings.carrier_simulator_reject_rate,
            partial=settings.carrier_simulator_partial_rate,
        ),
        delay_scale=settings.carrier_simulator_delay_scale,
        batch=settings.carrier_simulator_batch,
        last_mile_carrier=settings.carrier_simulator_last_mile_carrier,
    )


async def run_carrier_simulator(runtime: Runtime, stop: asyncio.Event) -> None:
    """Background task: a pass every ``carrier_simulator_poll_seconds``, on one replica at a time
    (the legs, then the warehouses' and claims work when ``carrier_simulator_warehouses``)."""
    settings = runtime.settings
    assert isinstance(settings, LogisticsSettings)
    if not settings.carrier_simulator_active:
        return
    seed = settings.carrier_simulator_identity_seed.get_secret_value()
    if public_key_of(seed) != settings.platform.identity_public_key:
        # Its tokens would be refused (401) and every leg would end refused: say so once instead.
        log.error("carrier simulator not started: its identity seed does not match DDT_IDENTITY_PUBLIC_KEY")
        return
    signer = IdentitySigner(seed)
    base_url = settings.carrier_simulator_url or f"http://127.0.0.1:{settings.effective_port}"
    simulator_client = httpx.AsyncClient(base_url=base_url, timeout=30.0)
    simulator = CarrierSimulator(
        runtime.db, simulator_client, signer, SimulatorConfig.from_settings(settings)
    )
    warehouses = (
        WarehouseSimulator(runtime.db, simulator_client, signer, operations_config(settings))
        if settings.carrier_simulator_warehouses
        else None
    )
    leadership = Leadership(runtime.db, "ddt-logistics-carrier-simulator")

    async def step() -> None:
        report = await simulator.run_once()
        if report.steps or report.seen or report.errors:
            log.info(
                "carrier simulator pass",
                extra={"legs_seen": report.seen, "steps": report.steps, "errors": report.errors[:3]},
            )
        if warehouses is not None:
            work = await warehouses.run_once()
            if work.steps or work.seen or work.errors:
                log.info(
                    "warehouse and claims simulator pass",
                    extra={"tasks_seen": work.seen, "steps": work.steps, "errors": work.errors[:3]},
                )
        await sleep_unless_stopped(stop, settings.carrier_simulator_poll_seconds)

    async def on_failure() -> None:
        return None

    try:
        await run_while_leading(stop, leadership, step, on_failure, log, "carrier simulator pass")
    finally:
        await simulator_client.aclose()
