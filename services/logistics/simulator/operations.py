"""Plans of the warehouses' and carriers' claims work the simulator plays (issue 11 item 9).

Pure: no session, no clock. A plan is decided once, when the simulator first sees the
object, from HMAC-SHA256 draws of the seed and the object's ids (:func:`.journeys.rng_for`,
as the journeys draw theirs), and stored whole — the steps, the hours after first sight each
falls due, and the exact request body each sends — so a restart, another replica or a change
of settings plays the same plan, and a step sent twice is the same request twice (the
service's idempotency keys store it once).

- **ASN** (the warehouse's operator): the goods reach the dock on the ASN's expected day, or
  after the mode's usual transit when it names none; they are counted 1–6 h later — each
  announced box line is short, over or damaged at ``discrepancy_rate`` — and put away 1–8 h
  after the count (sound units as sellable, damaged ones as damaged).
- **Outbound order** (the operator), once reserved: picked 0.5–6 h later, packed 0.2–1 h
  after, shipped 0.5–4 h after that with a last-mile carrier and a tracking number.
- **Return** into a warehouse (the operator), once on its way: received 24–96 h later and
  graded, each line sellable or not (``unsellable_rate``).
- **Claim** (the carrier of the claimed leg), once submitted: under review 2–24 h later;
  at ``documents_rate`` documents are asked for 2–12 h after that (the decision then waits for
  the claimant's file); decided 24–72 h after the review — rejected at ``reject_rate``,
  approved for part of the offer at ``partial_rate``, else approved for the offer — and an
  approval paid 24–120 h after the decision.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from services.logistics.simulator.journeys import rng_for

#: Usual door-to-dock hours of the first leg (头程) by mode, when the ASN names no expected day.
TRANSIT_HOURS: dict[str, tuple[float, float]] = {
    "sea": (48, 120),
    "air": (24, 72),
    "rail": (288, 456),
    "road": (72, 144),
    "post": (168, 336),
    "express": (72, 168),
}
_DEFAULT_TRANSIT = (96.0, 240.0)
_FEN = Decimal("0.01")


@dataclass(frozen=True)
class OperationRates:
    """How often each twist of the warehouses' and carriers' work happens (0 to 1)."""

    discrepancy: float = 0.1
    unsellable: float = 0.3
    documents: float = 0.3
    reject: float = 0.15
    partial: float = 0.25


@dataclass(frozen=True)
class AnnouncedLine:
    """One announced box line of an ASN."""

    box_no: str
    sku: str
    expected: int


def _step(action: str, hours: float, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
    return {"action": action, "hours": round(hours, 4), "path": path, "body": body}


def due_at(started: dt.datetime, step: dict[str, Any], scale: float) -> dt.datetime:
    """When a planned step falls due."""
    return started + dt.timedelta(hours=float(step["hours"]) * scale)


def transit_hours(
    seed: int, asn_id: str, mode: str | None, expected_on: dt.date | None, seen: dt.datetime
) -> float:
    """Hours from first sight to the dock: to the expected day (never negative), else the mode's usual."""
    if expected_on is not None:
        at = dt.datetime.combine(expected_on, dt.time(9), tzinfo=dt.UTC)
        return max(0.0, (at - seen).total_seconds() / 3600)
    low, high = TRANSIT_HOURS.get(mode or "", _DEFAULT_TRANSIT)
    return rng_for(seed, "asn-transit", asn_id).uniform(low, high)


def plan_asn(
    seed: int,
    rates: OperationRates,
    asn_id: str,
    lines: list[AnnouncedLine],
    transit: float,
    seen: dt.datetime,
    scale: float,
) -> dict[str, Any]:
    """Arrival, one final count with its discrepancies, one putaway (see the module docstring)."""
    rng = rng_for(seed, "asn", asn_id)
    count_at = transit + rng.uniform(1, 6)
    putaway_at = count_at + rng.uniform(1, 8)
    received_on = (seen + dt.timedelta(hours=count_at * scale)).date()
    counted: list[dict[str, Any]] = []
    sound: dict[str, int] = defaultdict(int)
    damaged_units: dict[str, int] = defaultdict(int)
    for line in sorted(lines, key=lambda ln: (ln.box_no, ln.sku)):
        # A draw of its own per box line: the same line gets the same count whatever the others.
        draw = rng_for(seed, "asn-line", asn_id, line.box_no, line.sku)
        roll, pick, size = draw.random(), draw.random(), draw.random()
        received, damaged, kind = line.expected, 0, None
        if roll < rates.discrepancy:
            kind = ("short", "over", "damaged")[int(pick * 3)]
            units = 1 + int(size * max(1, line.expected // 20))
            if kind == "short":
                received = max(0, line.expected - units)
            elif kind == "over":
                received = line.expected + units
            else:
                damaged = min(units, line.expected)
                received = line.expected - damaged
        counted.append(
            {"box_no": line.box_no, "sku": line.sku, "received": received, "damaged": damaged, "kind": kind}
        )
        sound[line.sku] += received
        damaged_units[line.sku] += damaged
    receipt = {
        "receipt_key": f"sim-{asn_id}",
        "received_on": received_on.isoformat(),
        "final": True,
        "lines": [{k: v for k, v in c.items() if k != "kind"} for c in counted],
    }
    putaway_lines = [
        {"sku": sku, "quantity": units, "condition": "sellable"}
        for sku, units in sorted(sound.items())
        if units
    ] + [
        {"sku": sku, "quantity": units, "condition": "damaged"}
        for sku, units in sorted(damaged_units.items())
        if units
    ]
    arrived_at = (seen + dt.timedelta(hours=transit * scale)).replace(microsecond=0)
    base = f"/v1/logistics/inbound/{asn_id}"
    steps = [
        _step("arrival", transit, f"{base}/arrival", {"arrived_at": arrived_at.isoformat()}),
        _step("receipt", count_at, f"{base}/receipts", receipt),
    ]
    if putaway_lines:
        steps.append(
            _step(
                "putaway",
                putaway_at,
                f"{base}/putaways",
                {"putaway_key": f"sim-{asn_id}", "lines": putaway_lines},
            )
        )
    discrepancies = [c for c in counted if c["kind"]]
    return {"steps": steps, "discrepancies": discrepancies}


def tracking_number(seed: int, order_id: str) -> str:
    """A last-mile number of the simulated carrier (13 characters, stable per order)."""
    rng = rng_for(seed, "last-mile", order_id)
    return "SIM" + "".join(str(rng.randrange(10)) for _ in range(10))


def plan_order(seed: int, order_id: str, carrier_code: str) -> dict[str, Any]:
    """Pick, pack and ship with a last-mile number (see the module docstring)."""
    rng = rng_for(seed, "order", order_id)
    pick = rng.uniform(0.5, 6)
    pack = pick + rng.uniform(0.2, 1)
    ship = pack + rng.uniform(0.5, 4)
    base = f"/v1/logistics/outbound/{order_id}"
    body = {
        "carrier_code": carrier_code,
        "tracking_number": tracking_number(seed, order_id),
        "transport_mode": "express",
    }
    return {
        "steps": [
            _step("pick", pick, f"{base}/pick", None),
            _step("pack", pack, f"{base}/pack", {"packages": 1}),
            _step("ship", ship, f"{base}/ship", body),
        ]
    }


def plan_return(
    seed: int, rates: OperationRates, return_id: str, lines: list[tuple[str, int]]
) -> dict[str, Any]:
    """Receive and grade a return: per line, ``(sku, units)``, how many are sellable."""
    rng = rng_for(seed, "return", return_id)
    at = rng.uniform(24, 96)
    graded = []
    for sku, units in sorted(lines):
        draw = rng_for(seed, "return-line", return_id, sku)
        unsellable = sum(1 for _ in range(units) if draw.random() < rates.unsellable)
        graded.append({"sku": sku, "sellable": units - unsellable, "unsellable": unsellable})
    return {"steps": [_step("receive", at, f"/v1/logistics/returns/{return_id}/receive", {"lines": graded})]}


def plan_claim(seed: int, rates: OperationRates, claim_id: str, offer_cny: Decimal) -> dict[str, Any]:
    """Review, sometimes ask for documents, decide, and pay an approval (see the module docstring)."""
    rng = rng_for(seed, "claim", claim_id)
    rolls = [rng.random() for _ in range(3)]
    review = rng.uniform(2, 24)
    documents = review + rng.uniform(2, 12)
    decide = review + rng.uniform(24, 72)
    pay = decide + rng.uniform(24, 120)
    share = Decimal(str(round(rng.uniform(0.4, 0.9), 2)))
    base = f"/v1/logistics/claims/{claim_id}"
    steps = [_step("review", review, f"{base}/review", None)]
    if rolls[0] < rates.documents:
        asked = {"documents": "The commercial invoice and photographs of the parcel and its contents."}
        steps.append(_step("request_documents", documents, f"{base}/request-documents", asked))
    partial = (offer_cny * share).quantize(_FEN, rounding=ROUND_HALF_UP)
    if rolls[1] < rates.reject:
        decision: dict[str, Any] = {
            "decision": "reject",
            "reason": "The carrier's records show the parcel handed over in good order.",
        }
    elif rolls[2] < rates.partial and Decimal(0) < partial < offer_cny:
        decision = {
            "decision": "approve",
            "amount_cny": str(partial),
            "reason": f"Part of the loss is not proven: {share * 100:.0f} % of the offer.",
        }
    else:
        decision = {"decision": "approve"}
    steps.append(_step("decide", decide, f"{base}/decision", decision))
    if decision["decision"] == "approve":
        steps.append(_step("pay", pay, f"{base}/payment", {"payment_reference": f"SIMPAY-{claim_id}"}))
    return {"steps": steps}


def done_already(kind: str, action: str, current: dict[str, Any]) -> bool:
    """Whether the object as the service shows it now has had ``action`` done (a step sent
    before a crash, or by someone else): the simulator then moves on instead of failing."""
    status = current.get("status")
    if kind == "asn":
        order = ["awaiting", "arrived", "receiving", "received", "completed"]
        reached = order.index(status) if status in order else -1
        return reached >= {"arrival": 1, "receipt": 3, "putaway": 4}[action]
    if kind == "order":
        order = ["reserved", "picked", "packed", "shipped"]
        reached = order.index(status) if status in order else -1
        return reached >= {"pick": 1, "pack": 2, "ship": 3}[action]
    if kind == "return":
        return status in {"received"}
    decided = {"approved", "approved_partial", "rejected", "paid", "closed"}
    if action == "review":
        return status != "submitted"
    if action == "request_documents":
        return current.get("documents_requested") is not None or status in decided
    if action == "decide":
        return status in decided
    return status in {"paid", "closed"}


def gone(kind: str, current: dict[str, Any]) -> bool:
    """Whether the object left the simulator's hands (cancelled, withdrawn, closed)."""
    status = current.get("status")
    if kind == "claim":
        return status == "closed"
    return status == "cancelled"
