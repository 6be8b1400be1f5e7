"""Journeys: the milestones a leg goes through, per mode, decided once from the seed.

A journey is a list of steps — a mode-neutral *kind* (``site_arrival``, ``departed``,
``held``, …), the hours since the previous step and the place (origin, border point,
destination). It is a pure function of the settings, the shipment id and the leg id: the
random numbers come from an HMAC-SHA256 of the ids keyed by the seed, as the customs
simulator draws its refusals, so the same seed gives the same journey on every replica and
after every restart. Delays, customs holds, damage and loss are drawn at their configured
rates; :mod:`.formats` renders the steps in the carrier's own format.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from dataclasses import dataclass
from typing import Literal

Place = Literal["origin", "border", "destination"]

#: (kind, fewest hours, most hours since the previous step, place) of an uneventful journey.
TEMPLATES: dict[str, list[tuple[str, float, float, Place]]] = {
    "post": [
        ("accepted", 0, 0, "origin"),
        ("site_arrival", 4, 24, "origin"),
        ("export_customs", 2, 12, "origin"),
        ("departed", 6, 48, "origin"),
        ("arrived", 48, 168, "destination"),
        ("import_customs", 2, 24, "destination"),
        ("released", 6, 48, "destination"),
        ("sorting", 6, 24, "destination"),
        ("delivery_office", 6, 24, "destination"),
        ("out_for_delivery", 2, 12, "destination"),
        ("delivered", 1, 8, "destination"),
    ],
    "express": [
        ("picked_up", 0, 0, "origin"),
        ("transit_centre", 2, 12, "origin"),
        ("departed", 2, 12, "origin"),
        ("delivery_city", 12, 72, "destination"),
        ("import_customs", 1, 6, "destination"),
        ("released", 2, 24, "destination"),
        ("out_for_delivery", 2, 12, "destination"),
        ("delivered", 1, 6, "destination"),
    ],
    "air": [
        ("booked", 0, 0, "origin"),
        ("site_arrival", 2, 24, "origin"),
        ("loaded", 4, 24, "origin"),
        ("departed", 1, 6, "origin"),
        ("arrived", 2, 14, "destination"),
        ("discharged", 1, 4, "destination"),
        ("import_customs", 1, 6, "destination"),
        ("released", 2, 24, "destination"),
        ("notified", 1, 12, "destination"),
        ("delivered", 4, 48, "destination"),
    ],
    # The Lianyungang–Incheon ferry sails overnight (routes.csv: 18–36 h door to door at sea).
    "sea": [
        ("booked", 0, 0, "origin"),
        ("site_arrival", 4, 24, "origin"),
        ("loaded", 2, 12, "origin"),
        ("departed", 1, 4, "origin"),
        ("arrived", 14, 20, "destination"),
        ("discharged", 1, 4, "destination"),
        ("released", 2, 24, "destination"),
        ("gate_out", 1, 12, "destination"),
        ("delivered", 12, 48, "destination"),
    ],
    # China–Europe trains: to the border point in 2–4 days, a gauge change there, then 8–14 days.
    "rail": [
        ("booked", 0, 0, "origin"),
        ("site_arrival", 4, 24, "origin"),
        ("loaded", 2, 12, "origin"),
        ("departed", 1, 6, "origin"),
        ("border_arrival", 48, 96, "border"),
        ("border_departure", 6, 48, "border"),
        ("arrived", 192, 336, "destination"),
        ("discharged", 2, 12, "destination"),
        ("released", 12, 48, "destination"),
        ("gate_out", 2, 24, "destination"),
        ("delivered", 12, 72, "destination"),
    ],
    "road": [
        ("booked", 0, 0, "origin"),
        ("site_arrival", 2, 12, "origin"),
        ("loaded", 1, 6, "origin"),
        ("departed", 1, 4, "origin"),
        ("border_arrival", 12, 48, "border"),
        ("border_departure", 2, 24, "border"),
        ("arrived", 24, 96, "destination"),
        ("released", 2, 24, "destination"),
        ("delivered", 4, 24, "destination"),
    ],
}
#: Steps that only a leg crossing a border goes through.
CUSTOMS_KINDS = frozenset({"export_customs", "import_customs", "released", "held"})
#: The rail border points of the regulator's routes (places.csv), with where their trains go.
RAIL_BORDERS = {
    "khorgos": ("Khorgos", "DEDUI", "Duisburg"),
    "alashankou": ("Alashankou", "PLMAL", "Małaszewicze"),
    "erenhot": ("Erenhot", "RUMOW", "Moscow"),
    "manzhouli": ("Manzhouli", "RUMOW", "Moscow"),
}


@dataclass(frozen=True)
class Rates:
    """How often each mishap happens (0 to 1)."""

    delay: float = 0.1
    hold: float = 0.05
    damage: float = 0.02
    loss: float = 0.01


@dataclass(frozen=True)
class Step:
    """One milestone: its kind, hours after the journey's start, and where it happens."""

    kind: str
    hours: float
    place: Place


@dataclass(frozen=True)
class Journey:
    """A leg's whole journey and how it ends."""

    mode: str
    steps: tuple[Step, ...]
    outcome: Literal["delivered", "lost"]
    border: str | None = None

    def to_json(self) -> dict[str, object]:
        """The stored form (the simulator's table keeps the journey it decided)."""
        return {
            "mode": self.mode,
            "outcome": self.outcome,
            "border": self.border,
            "steps": [[s.kind, s.hours, s.place] for s in self.steps],
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Journey:
        """Inverse of :meth:`to_json`."""
        raw = data["steps"]
        assert isinstance(raw, list)
        steps = tuple(Step(str(k), float(h), p) for k, h, p in raw)
        return cls(str(data["mode"]), steps, data["outcome"], data.get("border"))  # type: ignore[arg-type]


def rng_for(seed: int, *ids: str) -> random.Random:
    """A random generator of its own for ``ids``, from an HMAC keyed by the seed."""
    digest = hmac.new(str(seed).encode(), "\x1f".join(ids).encode(), hashlib.sha256).digest()
    return random.Random(int.from_bytes(digest, "big"))


def plan(seed: int, rates: Rates, shipment_id: str, leg_id: str, mode: str, crosses_border: bool) -> Journey:
    """The journey of one leg (deterministic in its arguments)."""
    rng = rng_for(seed, shipment_id, leg_id)
    # Every draw happens whatever the rates, in one order, so a rate changes only its outcome.
    rolls = [rng.random() for _ in range(4)]
    template = TEMPLATES.get(mode, TEMPLATES["express"])
    gaps = [(kind, rng.uniform(low, high), place) for kind, low, high, place in template]
    if not crosses_border:
        gaps = [g for g in gaps if g[0] not in CUSTOMS_KINDS]
    border = rng.choice(sorted(RAIL_BORDERS)) if mode == "rail" else None
    extra = [rng.uniform(24, 96), rng.uniform(24, 120), rng.uniform(1, 6), rng.uniform(72, 240)]
    picks = [rng.random(), rng.random()]
    kinds = [k for k, _g, _p in gaps]
    departed = kinds.index("departed") if "departed" in kinds else 0
    if rolls[1] < rates.hold and "released" in kinds:
        # Customs hold the goods for inspection, then release them a day to five days later.
        at = kinds.index("released")
        gaps[at] = (gaps[at][0], gaps[at][1] + extra[1], gaps[at][2])
        gaps.insert(at, ("held", rng_gap(picks[0], 1, 4), gaps[at - 1][2] if at else "destination"))
        kinds.insert(at, "held")
    if rolls[0] < rates.delay and len(kinds) - 1 > departed + 1:
        # A delay somewhere between departure and delivery: reported, then the next step is late.
        at = departed + 1 + int(picks[1] * (len(kinds) - 2 - departed))
        place = gaps[at - 1][2]
        gaps[at] = (gaps[at][0], gaps[at][1] + extra[0], gaps[at][2])
        gaps.insert(at, ("delayed", rng_gap(picks[1], 2, 12), place))
        kinds.insert(at, "delayed")
    if rolls[2] < rates.damage:
        # Damage is found at the last handling before delivery; the parcel is still delivered.
        at = len(kinds) - 2 if kinds[-2] == "out_for_delivery" else len(kinds) - 1
        gaps.insert(at, ("damaged", extra[2], "destination"))
        kinds.insert(at, "damaged")
    outcome: Literal["delivered", "lost"] = "delivered"
    if rolls[3] < rates.loss:
        # The track goes silent somewhere after departure; the carrier declares the loss days later.
        cut = departed + 1 + int(picks[0] * (len(kinds) - 1 - departed))
        place = gaps[cut - 1][2]
        gaps = [*gaps[:cut], ("lost", extra[3], place)]
        outcome = "lost"
    steps, hours = [], 0.0
    for kind, gap, place in gaps:
        hours += gap
        steps.append(Step(kind, round(hours, 4), place))
    return Journey(mode, tuple(steps), outcome, border)


def rng_gap(pick: float, low: float, high: float) -> float:
    """``pick`` (0–1) placed between ``low`` and ``high`` hours."""
    return low + pick * (high - low)
