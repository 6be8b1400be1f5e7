"""The derivation rules: a pure function of the event set (order, duplicates and arrival time
never matter), delivered final only on the last leg, ETAs, punctuality, milestones."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from services.logistics.tracking import rules
from services.logistics.tracking.rules import EventView, LegView, ShipmentView
from shared.events.logistics import Location, SubStatus, TrackingStatus

T0 = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
S, U = TrackingStatus, SubStatus
LEG1 = LegView(
    "leg-1", 1, "linehaul", "sea", T0, origin=Location(locode="CNLYG"), destination=Location(locode="KRINC")
)
LEG2 = LegView("leg-2", 2, "last_mile", "express", T0)
EXPORT = ShipmentView("s1", "export", "9610", True)
IMPORT = ShipmentView("s2", "import", "9610", True)


def ev(n: int, hours: float, status: S, sub: U | None = None, leg: str = "leg-1", **kw: object) -> EventView:
    return EventView(
        id=f"e{n}",
        leg_id=leg,
        dedup_key=f"k{n:03d}",
        occurred_at=T0 + dt.timedelta(hours=hours),
        status=status,
        sub_status=sub,
        **kw,
    )  # type: ignore[arg-type]


JOURNEY = [
    ev(1, 1, S.IN_TRANSIT, U.ARRIVED_AT_SITE),
    ev(2, 2, S.IN_TRANSIT, U.CUSTOMS_EXPORT_CLEARANCE),
    ev(3, 5, S.EXCEPTION, U.CUSTOMS_HELD),
    ev(4, 9, S.IN_TRANSIT, U.CUSTOMS_RELEASED),
    ev(5, 10, S.IN_TRANSIT, U.LOADED),
    ev(6, 30, S.DELIVERED, U.SIGNED),
    ev(7, 31, S.IN_TRANSIT, U.ARRIVED, leg="leg-2"),
    ev(8, 40, S.DELIVERED, U.SIGNED, leg="leg-2"),
]


@settings(max_examples=60, deadline=None)
@given(st.permutations(JOURNEY), st.lists(st.sampled_from(JOURNEY), max_size=6))
def test_the_state_is_the_same_whatever_the_order_and_duplicates(
    order: list[EventView], dupes: list[EventView]
) -> None:
    assert rules.derive_shipment(EXPORT, [LEG2, LEG1], order + dupes) == rules.derive_shipment(
        EXPORT, [LEG1, LEG2], JOURNEY
    )


def test_delivered_on_a_leg_that_is_not_the_last_is_a_handover() -> None:
    _legs, state = rules.derive_shipment(EXPORT, [LEG1, LEG2], JOURNEY[:6])
    assert (state.status, state.sub_status) == (S.IN_TRANSIT, U.HANDED_OVER)


def test_delivered_on_the_last_leg_is_final() -> None:
    late_scan = ev(9, 45, S.IN_TRANSIT, U.ARRIVED_AT_FACILITY, leg="leg-2")
    _legs, state = rules.derive_shipment(EXPORT, [LEG1, LEG2], [*JOURNEY, late_scan])
    assert (state.status, state.delivered_at) == (S.DELIVERED, T0 + dt.timedelta(hours=40))


def test_a_retracted_event_does_not_count_whichever_arrives_first() -> None:
    wrong = ev(9, 50, S.EXCEPTION, U.LOST, leg="leg-2", native_id="n9")
    retraction = EventView("e10", "leg-2", "k010", T0 + dt.timedelta(hours=51), None, retracts="n9")
    _legs, state = rules.derive_shipment(EXPORT, [LEG1, LEG2], [retraction, *JOURNEY, wrong])
    assert state.status is S.DELIVERED and state.exceptions.get("lost") is None


def test_export_milestones_are_the_first_site_arrival_and_the_border_legs_loading() -> None:
    _legs, state = rules.derive_shipment(EXPORT, [LEG1, LEG2], JOURNEY)
    assert state.milestones == {"arrival": "e1", "departure": "e5"}


def test_an_import_files_signed_for_only_on_the_last_legs_delivery() -> None:
    _legs, before = rules.derive_shipment(IMPORT, [LEG1, LEG2], JOURNEY[:6])
    _legs, after = rules.derive_shipment(IMPORT, [LEG1, LEG2], JOURNEY)
    assert (before.milestones, after.milestones) == ({}, {"signed_for": "e8"})


def test_no_milestone_for_a_shipment_without_a_customs_waybill() -> None:
    _legs, state = rules.derive_shipment(ShipmentView("s3", "export", "9610", False), [LEG1, LEG2], JOURNEY)
    assert state.milestones == {}


def test_customs_time_is_from_entering_customs_to_leaving_it() -> None:
    _legs, state = rules.derive_shipment(EXPORT, [LEG1, LEG2], JOURNEY)
    assert state.customs_hours == Decimal("7.00")  # clearance at 2 h, held at 5 h, released at 9 h


def test_a_repeated_report_of_one_exception_counts_once() -> None:
    held_again = ev(11, 6, S.EXCEPTION, U.CUSTOMS_HELD)
    _legs, state = rules.derive_shipment(EXPORT, [LEG1, LEG2], [*JOURNEY, held_again])
    assert state.exceptions == {"customs_held": 1}


def test_the_ferry_route_needs_both_ports() -> None:
    _legs, ferry = rules.derive_shipment(EXPORT, [LEG1], JOURNEY[:5])
    other = LegView(
        "leg-1",
        1,
        "linehaul",
        "sea",
        T0,
        origin=Location(locode="CNLYG"),
        destination=Location(locode="JPTYO"),
    )
    _legs, elsewhere = rules.derive_shipment(EXPORT, [other], JOURNEY[:5])
    assert (ferry.route, elsewhere.route) == ("ferry_lyg_inc", "sea_other")


def test_a_rail_leg_is_on_the_route_of_its_border_point() -> None:
    rail = LegView("leg-1", 1, "linehaul", "rail", T0)
    border = ev(
        1, 100, S.IN_TRANSIT, U.BORDER_CROSSED, location=Location(name="霍尔果斯口岸", facility_type="BORD")
    )
    _legs, state = rules.derive_shipment(EXPORT, [rail], [border])
    assert state.route == "rail_khorgos"


def test_the_first_eta_is_kept_and_a_later_estimate_beyond_it_is_late() -> None:
    first = ev(
        20, 1, S.IN_TRANSIT, U.DEPARTED, eta=(T0 + dt.timedelta(hours=24), T0 + dt.timedelta(hours=30))
    )
    revised = ev(21, 12, S.IN_TRANSIT, None, eta=(T0 + dt.timedelta(hours=40), T0 + dt.timedelta(hours=48)))
    leg = rules.derive_leg(LEG1, [revised, first], "export", None)
    assert leg.first_eta is not None and leg.eta is not None
    assert (leg.first_eta.latest, leg.eta.latest, leg.punctuality) == (
        T0 + dt.timedelta(hours=30),
        T0 + dt.timedelta(hours=48),
        "late",
    )


def test_without_a_carrier_estimate_the_platform_estimates_from_the_route() -> None:
    leg = rules.derive_leg(LEG1, [ev(1, 0, S.IN_TRANSIT, U.DEPARTED)], "export", (18, 36))
    assert leg.eta is not None and (leg.eta.source, leg.eta.earliest, leg.eta.latest) == (
        "platform",
        T0 + dt.timedelta(hours=18),
        T0 + dt.timedelta(hours=36),
    )


def test_delivered_within_the_first_eta_is_on_time() -> None:
    first = ev(20, 1, S.IN_TRANSIT, None, eta=(T0 + dt.timedelta(hours=24), T0 + dt.timedelta(hours=30)))
    leg = rules.derive_leg(LEG1, [first, ev(2, 29, S.DELIVERED)], "export", None)
    assert leg.punctuality == "on_time"


def test_a_return_leg_makes_the_shipment_returning_then_returned() -> None:
    back = LegView("leg-3", 3, "return", "express", T0)
    going = [ev(30, 50, S.IN_TRANSIT, U.PICKED_UP, leg="leg-3")]
    _legs, returning = rules.derive_shipment(EXPORT, [LEG1, LEG2, back], [*JOURNEY, *going])
    _legs, returned = rules.derive_shipment(
        EXPORT, [LEG1, LEG2, back], [*JOURNEY, *going, ev(31, 70, S.DELIVERED, leg="leg-3")]
    )
    assert (returning.status, returned.status) == (S.RETURNING, S.RETURNED)


def test_phone_numbers_and_signers_are_masked() -> None:
    assert (
        rules.mask_text("已签收，签收人：王小明，电话13812345678") == "已签收，签收人：王**，电话138****5678"
    )
