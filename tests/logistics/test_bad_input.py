"""Bad pushes: every refusal is a precise problem+json, a batch answers event by event, and
nothing accepted is lost or applied twice."""

from __future__ import annotations

from typing import Any

import pytest

from tests.logistics.support import (
    CARRIER,
    OTHER_CARRIER,
    LogisticsApi,
    at,
    generic,
    new_tag,
    waybill_accepted,
)

LIMIT = 5


@pytest.fixture(scope="module")
def settings_overrides() -> dict[str, Any]:
    return {"max_batch_events": LIMIT, "max_body_bytes": 64 * 1024}


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


async def test_a_push_that_is_not_json_is_400_with_where_it_broke(api: LogisticsApi) -> None:
    body = _problem(await api.push("dcsa", b'[{"eventType": ', CARRIER), 400, "tracking.malformed_push")
    assert "line 1" in body["detail"]


async def test_a_batch_answers_each_event_and_keeps_the_good_ones(api: LogisticsApi) -> None:
    tag = new_tag()
    await api.feed([waybill_accepted(tag)])
    batch = generic(
        tag,
        {"event_id": "ok", "occurred_at": at(1), "status": "in_transit", "sub_status": "picked_up"},
        {"event_id": "naive", "occurred_at": "2026-05-01T10:00:00", "status": "in_transit"},
        {"event_id": "bad-status", "occurred_at": at(2), "status": "teleported"},
    )
    answer = await api.push("generic", batch, CARRIER)
    assert answer.status_code == 200, answer.text
    outcomes = [(e["outcome"], e["code"], e["pointer"]) for e in answer.json()["events"]]
    assert outcomes == [
        ("accepted", None, "/events/0"),
        ("rejected", "tracking.time_without_zone", "/events/1"),
        ("rejected", "tracking.event_invalid", "/events/2/status"),
    ]
    assert (await api.shipment_of(tag))["sub_status"] == "picked_up"


async def test_the_same_push_twice_is_stored_once(api: LogisticsApi) -> None:
    tag = new_tag()
    await api.feed([waybill_accepted(tag)])
    batch = generic(tag, {"occurred_at": at(1), "status": "in_transit", "code": "X1"})
    first, second = await api.push("generic", batch, CARRIER), await api.push("generic", batch, CARRIER)
    assert (first.json()["accepted"], second.json()["duplicates"]) == (1, 1)
    assert first.json()["events"][0]["event_id"] == second.json()["events"][0]["event_id"]
    assert len(await api.timeline((await api.shipment_of(tag))["id"])) == 1


async def test_an_unknown_carrier_is_refused_per_event(api: LogisticsApi) -> None:
    batch = {
        "events": [
            {"carrier": "NOBODY", "tracking_number": "X1", "occurred_at": at(1), "status": "in_transit"}
        ]
    }
    body = _problem(await api.push("generic", batch, CARRIER), 422, "tracking.all_rejected")
    assert body["events"][0]["code"] == "tracking.carrier_unknown"


async def test_an_unknown_native_carrier_is_refused(api: LogisticsApi) -> None:
    traces = [{"AcceptTime": "2026-05-01 10:00:00", "AcceptStation": "x", "Action": "2"}]
    body = {"Data": [{"ShipperCode": "NOTACARRIER", "LogisticCode": "K1", "Traces": traces}]}
    problem = _problem(await api.push("kdniao", body, CARRIER), 422, "tracking.all_rejected")
    assert problem["errors"][0]["type"] == "tracking.carrier_unknown"


async def test_an_actual_event_beyond_the_future_tolerance_is_refused_an_estimate_is_not(
    api: LogisticsApi,
) -> None:
    tag = new_tag()
    await api.feed([waybill_accepted(tag)])
    batch = generic(
        tag,
        {"occurred_at": "2099-01-01T00:00:00+00:00", "status": "delivered"},
        {"occurred_at": "2099-01-01T00:00:00+00:00", "status": "delivered", "classifier": "estimated"},
    )
    answer = await api.push("generic", batch, CARRIER)
    assert [(e["outcome"], e["code"]) for e in answer.json()["events"]] == [
        ("rejected", "tracking.time_in_future"),
        ("accepted", None),
    ]


async def test_events_for_another_carriers_leg_are_403(api: LogisticsApi) -> None:
    tag = new_tag()
    await api.feed([waybill_accepted(tag)])
    batch = generic(tag, {"occurred_at": at(1), "status": "delivered"})
    body = _problem(await api.push("generic", batch, OTHER_CARRIER), 403, "tracking.leg_not_yours")
    assert body["events"][0]["status"] == 403
    assert (await api.shipment_of(tag))["status"] == "pending"


async def test_naming_another_registered_carrier_for_an_unknown_number_is_403(api: LogisticsApi) -> None:
    batch = {
        "events": [
            {
                "carrier": CARRIER.codes[0].code,
                "tracking_number": f"U{new_tag()}",
                "occurred_at": at(1),
                "status": "in_transit",
            }
        ]
    }
    _problem(await api.push("generic", batch, OTHER_CARRIER), 403, "tracking.leg_not_yours")


async def test_a_batch_over_the_event_limit_is_413(api: LogisticsApi) -> None:
    batch = generic("X", *({"occurred_at": at(i), "status": "in_transit"} for i in range(LIMIT + 1)))
    body = _problem(await api.push("generic", batch, CARRIER), 413, "tracking.batch_too_large")
    assert body["limit"] == LIMIT


async def test_a_body_over_the_byte_limit_is_413(api: LogisticsApi) -> None:
    _problem(await api.push("generic", b"x" * (65 * 1024), CARRIER), 413, "request.body_too_large")


@pytest.mark.parametrize(
    "xml",
    [
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><EMSEVT>&x;</EMSEVT>',
        '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><EMSEVT>&lol2;</EMSEVT>',
        "<EMSEVT>" + "<a>" * 40 + "</a>" * 40 + "</EMSEVT>",
        '<?xml version="1.0" encoding="UTF-8"?><EMSEVT>\xff</EMSEVT>',
    ],
    ids=["xxe", "entity-expansion", "too-deep", "bad-bytes"],
)
async def test_hostile_xml_is_refused_by_the_hardened_parser(api: LogisticsApi, xml: str) -> None:
    raw = xml.encode("latin-1") if "\xff" in xml else xml.encode()
    body = _problem(
        await api.push("upu-emsevt", raw, CARRIER, "application/xml"), 400, "tracking.xml_refused"
    )
    assert body["detail"].startswith("xml.")


async def test_hostile_xml_in_an_sf_push_is_refused_too(api: LogisticsApi) -> None:
    xml = '<!DOCTYPE r [<!ENTITY x SYSTEM "http://evil/">]><Request><Body>&x;</Body></Request>'
    _problem(await api.push("sf", xml, CARRIER, "application/xml"), 400, "tracking.xml_refused")


async def test_not_well_formed_xml_is_a_malformed_push(api: LogisticsApi) -> None:
    _problem(
        await api.push("upu-emsevt", "<EMSEVT><Event>", CARRIER, "application/xml"),
        400,
        "tracking.malformed_push",
    )


async def test_a_format_in_the_wrong_media_type_is_415(api: LogisticsApi) -> None:
    body = _problem(
        await api.push("iata-fsu", "FSU/14", CARRIER, "application/json"),
        415,
        "request.unsupported_media_type",
    )
    assert body["errors"][0]["pointer"] == "/headers/content-type"


async def test_an_s10_item_id_with_a_bad_check_digit_is_refused(api: LogisticsApi) -> None:
    xml = (
        "<EMSEVT><Event><MailitemID>EA123456789CN</MailitemID><EventCode>EMA</EventCode>"
        "<EventDateTime>2026-05-01T10:00:00+08:00</EventDateTime></Event></EMSEVT>"
    )
    body = _problem(
        await api.push("upu-emsevt", xml, CARRIER, "application/xml"), 422, "tracking.all_rejected"
    )
    assert body["errors"][0]["pointer"].endswith("/MailitemID")


async def test_an_fsu_station_without_a_known_zone_is_refused_as_zoneless(api: LogisticsApi) -> None:
    message = "FSU/14\n784-12345675XXXYYY/T1K1\nRCS/01MAY0830/XXX/T1K1\n"
    body = _problem(await api.push("iata-fsu", message, CARRIER, "text/plain"), 422, "tracking.all_rejected")
    assert body["errors"][0]["type"] == "tracking.time_without_zone"


async def test_a_csv_with_an_unknown_column_is_400(api: LogisticsApi) -> None:
    body = _problem(
        await api.push("generic", "tracking_number,when\nA,B\n", CARRIER, "text/csv"),
        400,
        "tracking.malformed_push",
    )
    assert body["errors"][0]["pointer"] == "/lines/0"


async def test_an_unknown_code_is_kept_raw_and_listed_for_the_administrators(api: LogisticsApi) -> None:
    from tests.logistics.support import ADMIN

    tag = new_tag()
    await api.feed([waybill_accepted(tag, number=f"SF{tag}")])
    xml = (
        f'<Request><Body><WaybillRoute id="{tag}" mailno="SF{tag}" acceptTime="2026-05-02 09:00:00" '
        'opCode="777" remark="新代码"/></Body></Request>'
    )
    answer = await api.push("sf", xml, CARRIER, "application/xml")
    assert answer.json()["accepted"] == 1
    event = (await api.timeline((await api.shipment_of(tag, number=f"SF{tag}"))["id"]))[0]
    assert (event["raw_code"], event["mapped"], event["status"]) == ("777", False, "in_transit")
    listed = (await api.get("/v1/logistics/unmapped-codes", ADMIN)).json()["items"]
    assert {"source": "sf", "raw_code": "777", "events": 1} in listed
    _problem(await api.get("/v1/logistics/unmapped-codes", CARRIER), 403, "auth.forbidden")
