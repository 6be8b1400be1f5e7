"""The simulator's warehouses and carriers' claims desks: it plays every overseas warehouse's
operator (receiving ASNs, putting away, fulfilling orders, grading returns) and every
carrier's claims handling, through the service's own public routes, as those parties would.

Each pass (on the carrier simulator's replica, after its legs):

1. **New work.** ASNs still ``awaiting``, orders ``reserved``, returns into a warehouse
   ``in_transit`` and claims ``submitted`` that have no task row get one, with their plan
   (:mod:`.operations`) and the party it acts as: the warehouse's operator, or the party in
   the registry mirror holding the claimed leg's carrier code (a claim whose carrier is not a
   registered party is left alone). The simulator only *reads* the service's tables to find
   work; every change goes through HTTP.
2. **Due steps.** A step whose time has come is POSTed with an identity token naming that
   party — the same mechanism the carrier simulator uses — and ``steps_done`` moves when the
   service answers 200. Any other answer is checked against the object as the service shows
   it (a GET as the same party): a step already done (sent before a crash, say) is passed,
   an object cancelled, withdrawn or closed ends the task, and anything else (an order on
   hold, a claim waiting for the claimant's documents) is tried again at the next pass.
   A step sent twice is the same request with the same idempotency key, stored once.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from services.logistics.parties.repository import PartyRepository
from services.logistics.simulator import operations as ops
from services.logistics.simulator.journeys import rng_for
from services.logistics.simulator.models import SimulatedTask
from services.logistics.simulator.repository import TaskRepository
from services.logistics.warehouses.rules import OPERATOR_ROLE
from shared.db import Database
from shared.identity import IDENTITY_HEADER, Identity, IdentitySigner, PartyCode
from shared.sqltypes import utcnow

log = logging.getLogger("ddt.logistics.warehouse_simulator")

#: The code a parcel ships under when no last-mile carrier is set and none is registered.
FALLBACK_LAST_MILE = "SIM-LASTMILE"


@dataclass(frozen=True)
class OperationsConfig:
    """The warehouse and claims simulator's settings."""

    seed: int = 0
    rates: ops.OperationRates = field(default_factory=ops.OperationRates)
    delay_scale: float = 0.001
    batch: int = 200
    last_mile_carrier: str | None = None


@dataclass
class OperationsReport:
    """What one pass did."""

    seen: int = 0
    steps: int = 0
    finished: int = 0
    waiting: int = 0
    errors: list[str] = field(default_factory=list)


class WarehouseSimulator:
    """Plays warehouses' and carriers' claims work through ``client`` (the service's own API)."""

    def __init__(
        self, db: Database, client: httpx.AsyncClient, signer: IdentitySigner, config: OperationsConfig
    ) -> None:
        self.db = db
        self.client = client
        self.signer = signer
        self.config = config

    async def run_once(self, now: dt.datetime | None = None) -> OperationsReport:
        """One pass: new work, then due steps (see the module docstring)."""
        now = (now or utcnow()).replace(microsecond=0)
        report = OperationsReport()
        async with self.db.transaction() as session:
            await self._discover(session, now, report)
        await self._play(now, report)
        return report

    # --- finding work ------------------------------------------------------------------------

    def _task(
        self, kind: str, object_id: str, party_id: str, plan: dict[str, Any], now: dt.datetime
    ) -> SimulatedTask:
        return SimulatedTask(
            kind=kind,
            object_id=object_id,
            party_id=party_id,
            plan=plan,
            delay_scale=self.config.delay_scale,
            started_at=now,
            steps_done=0,
            outcome="playing",
            note=None,
            finished_at=None,
            created_at=now,
            updated_at=now,
        )

    async def _discover(self, session: AsyncSession, now: dt.datetime, report: OperationsReport) -> None:
        repo = TaskRepository(session)
        cfg = self.config
        asns = await repo.awaiting_asns(cfg.batch)
        operators = await repo.operators([a.warehouse_id for a in asns])
        for asn in asns:
            lines = [ops.AnnouncedLine(box, sku, units) for box, sku, units in await repo.asn_lines(asn.id)]
            transit = ops.transit_hours(cfg.seed, asn.id, asn.transport_mode, asn.expected_on, now)
            plan = ops.plan_asn(cfg.seed, cfg.rates, asn.id, lines, transit, now, cfg.delay_scale)
            session.add(self._task("asn", asn.id, operators[asn.warehouse_id], plan, now))
            report.seen += 1
        orders = await repo.reserved_orders(cfg.batch)
        operators = await repo.operators([o.warehouse_id for o in orders])
        carriers = (
            [cfg.last_mile_carrier] if cfg.last_mile_carrier else await repo.carrier_codes() if orders else []
        )
        for order in orders:
            plan = ops.plan_order(cfg.seed, order.id, self._last_mile(order.id, carriers))
            session.add(self._task("order", order.id, operators[order.warehouse_id], plan, now))
            report.seen += 1
        returns = await repo.returns_on_their_way(cfg.batch)
        operators = await repo.operators([r.warehouse_id for r in returns if r.warehouse_id])
        for ret in returns:
            plan = ops.plan_return(cfg.seed, cfg.rates, ret.id, await repo.return_lines(ret.id))
            assert ret.warehouse_id is not None  # disposition warehouse names one
            session.add(self._task("return", ret.id, operators[ret.warehouse_id], plan, now))
            report.seen += 1
        claims = await repo.submitted_claims(cfg.batch)
        holders = await PartyRepository(session).by_codes(c.carrier_code for c in claims)
        for claim in claims:
            holder = holders.get(claim.carrier_code.upper())
            if holder is None or "logistics_firm" not in holder.roles:
                continue  # no registered carrier answers for this code: nobody to play
            plan = ops.plan_claim(cfg.seed, cfg.rates, claim.id, Decimal(claim.offer_cny))
            plan["carrier_code"] = claim.carrier_code
            session.add(self._task("claim", claim.id, holder.party_id, plan, now))
            report.seen += 1

    def _last_mile(self, order_id: str, carriers: list[str]) -> str:
        if not carriers:
            return FALLBACK_LAST_MILE
        return rng_for(self.config.seed, "last-mile-carrier", order_id).choice(carriers)

    # --- playing ------------------------------------------------------------------------------

    async def _identity(self, session: AsyncSession, task: SimulatedTask) -> Identity:
        party = await PartyRepository(session).get(task.party_id)
        if task.kind == "claim":
            code = str(task.plan["carrier_code"])
            return Identity(
                party_id=task.party_id,
                party_name=party.name if party else code,
                roles=list(party.roles) if party else ["logistics_firm"],
                codes=[PartyCode(code=code, kinds=[])],
                credential_id="carrier-simulator",
            )
        roles = list(party.roles) if party else []
        if OPERATOR_ROLE not in roles:
            # A warehouse is registered by a party holding the role; the mirror may lag behind.
            roles.append(OPERATOR_ROLE)
        return Identity(
            party_id=task.party_id,
            party_name=party.name if party else task.party_id,
            roles=roles,
            codes=[PartyCode(code=c, kinds=[]) for c in (party.customs_code, party.uscc) if c]
            if party
            else [],
            credential_id="carrier-simulator",
        )

    async def _play(self, now: dt.datetime, report: OperationsReport) -> None:
        async with self.db.transaction() as session:
            tasks = await TaskRepository(session).open_tasks(self.config.batch)
            work = [(t.kind, t.object_id, await self._identity(session, t)) for t in tasks]
            plans = {
                (t.kind, t.object_id): (t.plan, t.started_at, t.delay_scale, t.steps_done) for t in tasks
            }
        # The calls go out with no transaction open: the service's own routes take the locks.
        results: list[tuple[str, str, int, str | None, str | None]] = []
        for kind, object_id, identity in work:
            plan, started, scale, done = plans[(kind, object_id)]
            steps = plan["steps"]
            outcome: str | None = None
            note: str | None = None
            while done < len(steps) and ops.due_at(started, steps[done], scale) <= now:
                step = steps[done]
                try:
                    answer = await self._send("POST", step["path"], identity, step["body"])
                    if answer.status_code == 200:
                        done += 1
                        report.steps += 1
                        continue
                    current = await self._send("GET", step["path"].rsplit("/", 1)[0], identity, None)
                except httpx.HTTPError as exc:
                    report.errors.append(f"{kind} {object_id}: {exc!r}")
                    break
                shown = current.json() if current.status_code == 200 else {}
                if ops.done_already(kind, step["action"], shown):
                    done += 1
                    continue
                if current.status_code == 404 or ops.gone(kind, shown):
                    outcome, note = (
                        "cancelled",
                        f"{step['action']}: {shown.get('status', current.status_code)}",
                    )
                    break
                if answer.status_code >= 500:
                    report.errors.append(f"{kind} {object_id}: {answer.status_code}")
                else:
                    # On hold, waiting for documents, …: the same step again at the next pass.
                    note = f"{step['action']} waits: {answer.status_code} {answer.text[:200]}"
                    report.waiting += 1
                break
            if outcome is None and done >= len(steps):
                outcome = "done"
            results.append((kind, object_id, done, outcome, note))
        async with self.db.transaction() as session:
            for kind, object_id, done, outcome, note in results:
                task = await TaskRepository(session).task(kind, object_id)
                if task is None:
                    continue
                task.steps_done = max(task.steps_done, done)
                task.note = note[:300] if note else task.note
                task.updated_at = now
                if outcome is not None:
                    task.outcome, task.finished_at = outcome, now
                    report.finished += 1

    async def _send(
        self, method: str, path: str, identity: Identity, body: dict[str, Any] | None
    ) -> httpx.Response:
        token = self.signer.mint(identity, audience="ddt-logistics", method=method, path=path)
        headers = {IDENTITY_HEADER: token}
        if method == "GET":
            return await self.client.get(path, headers=headers)
        return await self.client.post(path, json=body or {}, headers=headers)
