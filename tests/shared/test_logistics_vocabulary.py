"""The logistics contract: one tracking vocabulary, and events that reach only who they should."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import get_args

import pytest
from pydantic import ValidationError

from services.gateway.webhooks.dispatch import parties_named
from shared.events import EVENT_MODELS, build_event
from shared.events.logistics import (
    CUSTOMS_SUB_STATUSES,
    MILESTONE_MESSAGE,
    STATUS_RANK,
    SUB_STATUS_PARENT,
    CustomsMilestone,
    ShipmentFacts,
    SubStatus,
    TrackingEventFacts,
    TrackingNotification,
    TrackingStatus,
    TrackingStatusChanged,
)
from shared.messaging.consumer import EventHandlers, UnreadableMessage

NOW = dt.datetime(2026, 5, 1, 8, tzinfo=dt.UTC)


def test_every_status_has_a_rank() -> None:
    assert set(STATUS_RANK) == set(TrackingStatus)


def test_every_sub_status_belongs_to_one_main_status() -> None:
    assert set(SUB_STATUS_PARENT) == set(SubStatus)


def test_the_customs_sub_statuses_are_export_and_import_clearance_held_and_released() -> None:
    assert {s.value for s in CUSTOMS_SUB_STATUSES} == {
        "customs_export_clearance",
        "customs_import_clearance",
        "customs_held",
        "customs_released",
    }


def test_a_customs_hold_is_an_exception() -> None:
    assert SubStatus.CUSTOMS_HELD.parent is TrackingStatus.EXCEPTION


def test_every_milestone_names_its_customs_message() -> None:
    assert dict(MILESTONE_MESSAGE) == {"arrival": "CEB507", "departure": "CEB509", "signed_for": "CEB513"}
    assert set(MILESTONE_MESSAGE) == set(get_args(CustomsMilestone))


def _latest() -> TrackingEventFacts:
    return TrackingEventFacts(
        event_id="e1", occurred_at=NOW, status=TrackingStatus.IN_TRANSIT, source="iata_fsu", raw_code="DEP"
    )


def test_only_the_notification_names_a_party_for_the_webhook_fan_out() -> None:
    shipment = ShipmentFacts(
        shipment_id="s1", direction="export", carrier_party_id="carrier-1", created_at=NOW
    )
    changed = TrackingStatusChanged(
        shipment=shipment,
        previous_status=None,
        status=TrackingStatus.IN_TRANSIT,
        first_in_status=True,
        latest_event=_latest(),
        occurred_at=NOW,
    )
    notification = TrackingNotification(
        party_id="enterprise-1",
        subscription_id="sub-1",
        kind="status_changed",
        shipment_id="s1",
        status=TrackingStatus.IN_TRANSIT,
        occurred_at=NOW,
    )
    assert parties_named(changed.model_dump(mode="json")) == set()
    assert parties_named(notification.model_dump(mode="json")) == {"enterprise-1"}


def test_the_logistics_events_are_registered_for_consumers() -> None:
    names = {base for base, _version in EVENT_MODELS if base.startswith("ddt.logistics.")}
    assert {
        "ddt.logistics.shipment.created",
        "ddt.logistics.tracking.status_changed",
        "ddt.logistics.milestone.reached",
        "ddt.logistics.shipment.figures",
        "ddt.logistics.cost.recorded",
        "ddt.logistics.notification",
    } <= names


def test_an_event_with_an_unknown_tracking_status_is_parked_not_guessed() -> None:
    handlers = EventHandlers()

    @handlers.on(TrackingNotification)
    async def apply(*_args: object) -> None:
        raise AssertionError("never applied")

    known = TrackingNotification(
        party_id="p1", subscription_id="s", kind="test", shipment_id="s1", status="delivered", occurred_at=NOW
    )
    event = build_event(known, source="/ddt/logistics", subject="s1")
    event.data["status"] = "teleported"
    with pytest.raises(UnreadableMessage, match="invalid"):
        handlers.resolve(event)


def test_a_location_code_must_be_a_un_locode() -> None:
    with pytest.raises(ValidationError):
        TrackingEventFacts.model_validate(
            {**_latest().model_dump(mode="json"), "location": {"locode": "lianyungang"}}
        )


def test_costs_are_exact_decimals() -> None:
    from shared.events.logistics import LogisticsCostRecorded

    cost = LogisticsCostRecorded(
        cost_id="c1",
        shipment_id="s1",
        amount=Decimal("1234.56"),
        currency="USD",
        amount_cny=Decimal("8888.83"),
        cny_rate=Decimal("7.2000"),
        incurred_on="2026-05-01",
        recorded_by_party_id="carrier-1",
        occurred_at=NOW,
    )
    assert LogisticsCostRecorded.model_validate_json(cost.model_dump_json()).amount == Decimal("1234.56")
