"""The carrier simulator's journeys, rendered and read back through the real adapters: same
seed, same journey; every journey in time order and a valid status sequence; rates of 1.0
give their mishap."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.logistics.adapters.registry import PushContext, read_push
from services.logistics.settings import LogisticsSettings
from services.logistics.simulator.formats import LegFacts, render, source_of
from services.logistics.simulator.journeys import Rates, plan
from services.logistics.simulator.service import public_key_of
from shared.settings import Environment, PlatformSettings
from shared.xml_security import XmlLimits

START = dt.datetime(2026, 5, 1, 1, 0, tzinfo=dt.UTC)
NUMBERS = {
    "post": "EA000000031CN",
    "air": "784-00000011",
    "sea": "LYGK0001",
    "rail": "CRCT0001",
    "road": "ROAD0001",
    "express": "LN0001",
}
FINAL = {"delivered", "returned", "cancelled"}


def _leg(mode: str, direction: str = "export") -> LegFacts:
    return LegFacts("leg-1", "shp-1", NUMBERS[mode], "3207960004", mode, direction)


def _events(
    mode: str, rates: Rates, seed: int, scale: float, direction: str = "export"
) -> list[tuple[dt.datetime, str, str | None]]:
    leg = _leg(mode, direction)
    journey = plan(seed, rates, leg.shipment_id, leg.leg_id, mode, True)
    indexes = list(range(len(journey.steps)))
    now = START + dt.timedelta(hours=journey.steps[-1].hours * scale + 1)
    found = []
    for push in render(leg, journey, START, scale, indexes, 0):
        slug = "generic" if push.path.endswith("/events") else push.path.rsplit("/", 1)[1]
        parsed = read_push(slug, push.body, push.content_type, PushContext(1000, XmlLimits(), now))
        assert not parsed.refusals, parsed.refusals
        for candidate in parsed.candidates:
            assert candidate.mapped is not None and candidate.mapped.mapped, candidate.raw_code
            sub = candidate.mapped.sub_status.value if candidate.mapped.sub_status else None
            found.append((candidate.occurred_at, candidate.mapped.status.value, sub))
    return sorted(found, key=lambda e: e[0])


def test_every_mode_speaks_its_native_format() -> None:
    assert {m: source_of(_leg(m)) for m in NUMBERS} == {
        "post": "upu",
        "air": "fsu",
        "sea": "dcsa",
        "rail": "dcsa",
        "road": "dcsa",
        "express": "kdniao",
    }
    assert source_of(LegFacts("l", "s", "LN1", "c", "post", "export")) == "own"


def test_the_same_seed_gives_the_same_journey_and_another_seed_another() -> None:
    first = plan(7, Rates(), "shp-1", "leg-1", "rail", True)
    assert plan(7, Rates(), "shp-1", "leg-1", "rail", True) == first
    others = {plan(seed, Rates(), "shp-1", "leg-1", "rail", True).steps for seed in range(8, 14)}
    assert len(others | {first.steps}) == 7  # seven seeds, seven journeys


def test_rates_of_one_give_holds_delays_damage_and_loss() -> None:
    held = [k.kind for k in plan(1, Rates(0, 1, 0, 0), "s", "l", "post", True).steps]
    assert held.index("held") == held.index("released") - 1
    assert "delayed" in [k.kind for k in plan(1, Rates(1, 0, 0, 0), "s", "l", "air", True).steps]
    damaged = plan(1, Rates(0, 0, 1, 0), "s", "l", "express", True)
    assert "damaged" in [k.kind for k in damaged.steps] and damaged.outcome == "delivered"
    lost = plan(1, Rates(0, 0, 0, 1), "s", "l", "sea", True)
    assert (lost.outcome, lost.steps[-1].kind) == ("lost", "lost")
    assert "delivered" not in [k.kind for k in lost.steps]
    quiet = plan(1, Rates(0, 0, 0, 0), "s", "l", "sea", True)
    assert {"held", "delayed", "damaged", "lost"}.isdisjoint(k.kind for k in quiet.steps)


def test_the_ferry_and_the_trains_pass_the_regulators_places() -> None:
    journey = plan(3, Rates(0, 0, 0, 0), "s", "l", "rail", True)
    assert journey.border in {"khorgos", "alashankou", "erenhot", "manzhouli"}
    statuses = _events("rail", Rates(0, 0, 0, 0), 3, 1.0)
    assert ("in_transit", "border_crossed") in [(s, sub) for _t, s, sub in statuses]


@settings(max_examples=120, deadline=None)
@given(
    mode=st.sampled_from(sorted(NUMBERS)),
    seed=st.integers(0, 2**31),
    rates=st.builds(Rates, *(st.sampled_from([0.0, 0.5, 1.0]) for _ in range(4))),
    scale=st.sampled_from([0.0, 0.001, 1.0]),
    direction=st.sampled_from(["export", "import"]),
)
def test_every_journey_is_in_time_order_and_a_valid_status_sequence(
    mode: str, seed: int, rates: Rates, scale: float, direction: str
) -> None:
    leg = _leg(mode, direction)
    journey = plan(seed, rates, leg.shipment_id, leg.leg_id, mode, True)
    hours = [s.hours for s in journey.steps]
    assert hours == sorted(hours)
    # Read back from the native bytes, the events keep the journey's order, strictly in time.
    events = _events(mode, rates, seed, scale, direction)
    assert len(events) == len(journey.steps)
    times = [t for t, _s, _sub in events]
    assert all(a < b for a, b in zip(times, times[1:], strict=False))
    statuses = [s for _t, s, _sub in events]
    assert statuses[0] in {"info_received", "in_transit"}
    assert all(s not in FINAL for s in statuses[:-1])
    if journey.outcome == "delivered":
        assert statuses[-1] == "delivered"
    else:
        assert (statuses[-1], events[-1][2]) == ("exception", "lost")


def test_the_simulator_is_on_in_the_embedded_mode_and_refused_in_production() -> None:
    assert LogisticsSettings().carrier_simulator_active
    assert not LogisticsSettings(carrier_simulator_enabled=False).carrier_simulator_active
    # Production settings need every production secret; the rule itself is read on a bare instance.
    production = PlatformSettings.model_construct(environment=Environment.PRODUCTION)
    assert not LogisticsSettings.model_construct(platform=production).carrier_simulator_active
    forced = LogisticsSettings.model_construct(platform=production, carrier_simulator_enabled=True)
    with pytest.raises(ValueError, match="refuses the carrier simulator"):
        forced._no_simulator_in_production()


def test_the_default_identity_seed_is_the_embedded_modes_key_pair() -> None:
    settings = LogisticsSettings()
    assert public_key_of(settings.carrier_simulator_identity_seed.get_secret_value()) == (
        settings.platform.identity_public_key
    )
