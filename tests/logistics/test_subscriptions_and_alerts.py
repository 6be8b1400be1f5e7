"""Subscriptions deliver through the gateway's webhooks (a notification addressed by party_id),
only to parties the shipment belongs to; ETAs are kept with the first one; stale legs alert."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from services.gateway.webhooks.dispatch import parties_named
from services.logistics.alerts.service import report_stale
from services.logistics.context import LogisticsContext
from tests.logistics.support import (
    CARRIER,
    ENTERPRISE,
    OTHER_ENTERPRISE,
    LogisticsApi,
    at,
    generic,
    inventory_event,
    new_tag,
    waybill_accepted,
)


@pytest.fixture(scope="module")
def settings_overrides() -> dict[str, Any]:
    return {"stale_hours": {"sea": 12, "express": 48, "post": 120, "air": 48, "rail": 120, "road": 72}}


async def _subscribe(api: LogisticsApi, who: Any, **body: Any) -> str:
    answer = await api.post("/v1/logistics/subscriptions", who, json=body)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


async def _notifications(api: LogisticsApi, subscription_id: str) -> list[dict[str, Any]]:
    events = await api.published("ddt.logistics.notification")
    return [e.data for e in events if e.data["subscription_id"] == subscription_id]


async def test_a_subscriber_hears_each_status_once_with_the_first_time_flag(api: LogisticsApi) -> None:
    tag = new_tag()
    await api.feed([waybill_accepted(tag), inventory_event(tag)])
    sub = await _subscribe(api, ENTERPRISE, scope="order_no", value=f"ON{tag}", kinds=["status_changed"])
    await api.push(
        "generic",
        generic(tag, {"occurred_at": at(1), "status": "in_transit", "sub_status": "picked_up"}),
        CARRIER,
    )
    await api.push(
        "generic",
        generic(tag, {"occurred_at": at(2), "status": "exception", "sub_status": "delayed"}),
        CARRIER,
    )
    await api.push(
        "generic",
        generic(tag, {"occurred_at": at(3), "status": "in_transit", "sub_status": "departed"}),
        CARRIER,
    )
    heard = await _notifications(api, sub)
    assert [(n["status"], n["sub_status"], n["first_in_status"]) for n in heard] == [
        ("in_transit", "picked_up", True),
        ("exception", "delayed", True),
        ("in_transit", "departed", False),
    ]
    assert heard[-1]["latest_event"]["sub_status"] == "departed"
    assert parties_named(heard[-1]) == {ENTERPRISE.party_id}


async def test_subscribing_to_someone_elses_number_hears_nothing(api: LogisticsApi) -> None:
    tag = new_tag()
    await api.feed([waybill_accepted(tag), inventory_event(tag)])
    sub = await _subscribe(api, OTHER_ENTERPRISE, scope="logistics_no", value=f"LN{tag}")
    await api.push("generic", generic(tag, {"occurred_at": at(1), "status": "in_transit"}), CARRIER)
    assert await _notifications(api, sub) == []


async def test_all_of_my_shipments_includes_new_ones(api: LogisticsApi) -> None:
    sub = await _subscribe(api, CARRIER, scope="all", kinds=["status_changed"])
    tag = new_tag()
    await api.feed([waybill_accepted(tag)])
    await api.push("generic", generic(tag, {"occurred_at": at(1), "status": "in_transit"}), CARRIER)
    assert [n["logistics_no"] for n in await _notifications(api, sub)][-1] == f"LN{tag}"


async def test_test_fire_publishes_a_test_notification_to_the_subscriber(api: LogisticsApi) -> None:
    sub = await _subscribe(api, ENTERPRISE, scope="tracking_number", value="T1")
    fired = await api.post(f"/v1/logistics/subscriptions/{sub}/test", ENTERPRISE)
    assert fired.status_code == 202, fired.text
    (note,) = await _notifications(api, sub)
    assert (note["test"], note["kind"], note["party_id"]) == (True, "test", ENTERPRISE.party_id)
    other = await api.post(f"/v1/logistics/subscriptions/{sub}/test", OTHER_ENTERPRISE)
    assert other.status_code == 404


async def test_a_subscription_needs_a_value_for_a_number_scope(api: LogisticsApi) -> None:
    answer = await api.post("/v1/logistics/subscriptions", ENTERPRISE, json={"scope": "order_no"})
    assert answer.status_code == 422 and answer.json()["errors"][0]["pointer"].startswith("/body")


async def test_an_eta_change_keeps_the_first_eta_and_says_late(api: LogisticsApi) -> None:
    tag = new_tag()
    await api.feed([waybill_accepted(tag)])
    sub = await _subscribe(api, CARRIER, scope="logistics_no", value=f"LN{tag}", kinds=["eta_changed"])
    eta1 = {"earliest": at(24), "latest": at(30)}
    eta2 = {"earliest": at(40), "latest": at(48)}
    await api.push(
        "generic", generic(tag, {"occurred_at": at(1), "status": "in_transit", "eta": eta1}), CARRIER
    )
    await api.push(
        "generic",
        generic(tag, {"occurred_at": at(5), "status": "in_transit", "sub_status": "departed", "eta": eta2}),
        CARRIER,
    )
    shipment = await api.shipment_of(tag)
    assert (shipment["first_eta"]["latest"], shipment["eta"]["latest"], shipment["punctuality"]) == (
        dt.datetime.fromisoformat(at(30)).astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        dt.datetime.fromisoformat(at(48)).astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "late",
    )
    assert [n["punctuality"] for n in await _notifications(api, sub)] == ["on_time", "late"]


async def test_a_silent_leg_is_reported_stale_once_per_silence(api: LogisticsApi) -> None:
    tag = new_tag()
    await api.feed([waybill_accepted(tag), inventory_event(tag)])  # trafMode 2: a sea leg, stale after 12 h
    sub = await _subscribe(api, CARRIER, scope="logistics_no", value=f"LN{tag}", kinds=["stale"])
    await api.push("generic", generic(tag, {"occurred_at": at(1), "status": "in_transit"}), CARRIER)
    shipment = await api.shipment_of(tag)
    ctx = api.app.state.runtime.components.get(LogisticsContext)
    publisher = api.app.state.runtime.publisher
    now = dt.datetime.fromisoformat(at(14))
    for when in (now, now + dt.timedelta(hours=1)):
        async with api.db.transaction() as session:
            await report_stale(session, publisher, ctx, when)
    stale = [e.data for e in await api.published("ddt.logistics.tracking.stale", shipment["id"])]
    assert [(s["mode"], s["threshold_hours"], s["hours_without_event"]) for s in stale] == [("sea", 12, 13)]
    assert [n["kind"] for n in await _notifications(api, sub)] == ["stale"]
