"""Each native format, pushed as its sender would, moves the shipment and reaches its customs
milestones: post (UPU EMSEVT), air (IATA FSU), the ferry (DCSA), domestic express (Kdniao, SF),
aggregators (AfterShip, 17TRACK) and our own CSV batch."""

from __future__ import annotations

import json
import random
from urllib.parse import urlencode

from tests.logistics.support import (
    CARRIER,
    ENTERPRISE,
    LogisticsApi,
    awb,
    inventory_event,
    new_tag,
    s10,
    waybill_accepted,
)

RNG = random.Random(10)


async def _milestones(api: LogisticsApi, shipment_id: str) -> list[str]:
    return [
        e.data["message_type"] for e in await api.published("ddt.logistics.milestone.reached", shipment_id)
    ]


async def test_post_emsevt_arrival_and_departure_at_the_office_of_exchange(api: LogisticsApi) -> None:
    tag, number = new_tag(), s10(RNG.randrange(10**8))
    await api.feed([waybill_accepted(tag, number=number)])
    events = "".join(
        f"<Event><MailitemID>{number}</MailitemID><EventCode>{code}</EventCode>"
        f"<EventDateTime>2026-05-0{day}T{hour}:00:00+08:00</EventDateTime><Office>CNLYGA</Office></Event>"
        for code, day, hour in (("EMA", 1, "09"), ("EMB", 1, "15"), ("EMC", 2, "10"))
    )
    answer = await api.push(
        "upu-emsevt", f"<EMSEVT version='3'>{events}</EMSEVT>", CARRIER, "application/xml"
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["accepted"] == 3
    shipment = await api.shipment_of(tag, number=number)
    assert (shipment["status"], shipment["sub_status"], shipment["legs"][0]["mode"]) == (
        "in_transit",
        "departed",
        "post",
    )
    assert await _milestones(api, shipment["id"]) == ["CEB507", "CEB509"]


async def test_air_fsu_station_times_are_local_and_loading_is_the_departure(api: LogisticsApi) -> None:
    tag, number = new_tag(), awb(RNG.randrange(10**7))
    await api.feed([waybill_accepted(tag, number=number)])
    message = f"FSU/14\n{number}PVGFRA/T2K35.0\nRCS/01MAY0830/PVG/T2K35.0\nMAN/CZ431/02MAY/PVGFRA/T2K35.0\n"
    answer = await api.push("iata-fsu", message, CARRIER, "text/plain")
    assert answer.status_code == 200, answer.text
    shipment = await api.shipment_of(tag, number=number)
    first = (await api.timeline(shipment["id"]))[0]
    assert (first["local_time"][-6:], first["utc_offset_minutes"], first["raw_code"]) == (
        "+08:00",
        480,
        "RCS",
    )
    assert await _milestones(api, shipment["id"]) == ["CEB507", "CEB509"]


async def test_the_ferry_on_dcsa_is_on_the_lianyungang_incheon_route(api: LogisticsApi) -> None:
    tag = new_tag()
    bill = f"LYGK{tag}"
    await api.feed([waybill_accepted(tag, number=bill), inventory_event(tag, logistics_no=bill)])

    def event(kind: str, code: str, hour: int, locode: str, classifier: str = "ACT") -> dict[str, object]:
        field = {"EQUIPMENT": "equipmentEventTypeCode", "TRANSPORT": "transportEventTypeCode"}[kind]
        return {
            "eventID": f"{tag}-{code}-{classifier}",
            "eventType": kind,
            field: code,
            "eventClassifierCode": classifier,
            "eventDateTime": f"2026-05-01T{hour:02d}:00:00+08:00",
            "documentReferences": [{"documentReferenceType": "TRD", "documentReferenceValue": bill}],
            "eventLocation": {"UNLocationCode": locode},
            "transportCall": {
                "modeOfTransport": "VESSEL",
                "vessel": {"vesselName": "ZIYULAN"},
                "exportVoyageNumber": "2605E",
            },
        }

    body = [
        event("EQUIPMENT", "GTIN", 8, "CNLYG"),
        event("EQUIPMENT", "LOAD", 14, "CNLYG"),
        event("TRANSPORT", "DEPA", 18, "CNLYG"),
        event("TRANSPORT", "ARRI", 23, "KRINC", "EST"),
    ]
    answer = await api.push("dcsa", body, CARRIER)
    assert answer.status_code == 200, answer.text
    shipment = await api.shipment_of(tag, number=bill)
    assert (shipment["route"], shipment["legs"][0]["mode"], shipment["eta"]["source"]) == (
        "ferry_lyg_inc",
        "sea",
        "carrier",
    )
    reached = await api.published("ddt.logistics.milestone.reached", shipment["id"])
    departure = next(e.data for e in reached if e.data["message_type"] == "CEB509")
    assert (departure["conveyance"]["traf_name"], departure["conveyance"]["voyage_no"]) == (
        "ZIYULAN",
        "2605E",
    )


async def test_kdniao_form_push_delivers_an_import_and_files_the_signed_for(api: LogisticsApi) -> None:
    tag = new_tag()
    await api.feed([waybill_accepted(tag, direction="import", mode="9610")])
    traces = [
        {"AcceptTime": "2026-05-02 09:00:00", "AcceptStation": "连云港揽收", "Action": "1"},
        {
            "AcceptTime": "2026-05-02 18:00:00",
            "AcceptStation": "派送中，快递员电话13812345678",
            "Action": "202",
        },
        {"AcceptTime": "2026-05-03 10:00:00", "AcceptStation": "已签收，签收人：王小明", "Action": "301"},
    ]
    data = {
        "EBusinessID": "1",
        "Count": "1",
        "Data": [{"ShipperCode": "SF", "LogisticCode": f"LN{tag}", "Traces": traces}],
    }
    form = urlencode({"RequestData": json.dumps(data, ensure_ascii=False), "RequestType": "101"})
    answer = await api.push("kdniao", form, CARRIER, "application/x-www-form-urlencoded")
    assert answer.status_code == 200, answer.text
    shipment = await api.shipment_of(tag)
    texts = [e["raw_text"] for e in await api.timeline(shipment["id"])]
    assert shipment["status"] == "delivered"
    assert "13812345678" not in "".join(texts) and "王小明" not in "".join(texts)
    assert await _milestones(api, shipment["id"]) == ["CEB513"]


async def test_sf_route_push_in_xml(api: LogisticsApi) -> None:
    tag = new_tag()
    await api.feed([waybill_accepted(tag, direction="import", mode="1210")])
    routes = "".join(
        f'<WaybillRoute id="{tag}{op}" mailno="LN{tag}" acceptTime="2026-05-02 {hour}:00:00" '
        f'opCode="{op}" remark="{remark}"/>'
        for op, hour, remark in (
            ("50", "09", "顺丰速运 已收取快件"),
            ("36", "12", "快件离开【连云港中转场】"),
            ("80", "16", "已签收"),
        )
    )
    body = f'<Request service="RoutePushService" lang="zh-CN"><Body>{routes}</Body></Request>'
    answer = await api.push("sf", body, CARRIER, "application/xml")
    assert answer.status_code == 200, answer.text
    shipment = await api.shipment_of(tag)
    assert (shipment["status"], shipment["legs"][0]["role"]) == ("delivered", "last_mile")


async def test_an_enterprise_relays_aftership_for_its_own_parcel(api: LogisticsApi) -> None:
    tag = new_tag()
    await api.feed([waybill_accepted(tag), inventory_event(tag)])
    body = {
        "event": "tracking_update",
        "msg": {
            "tracking_number": f"LN{tag}",
            "slug": "sf-express",
            "tag": "InTransit",
            "checkpoints": [
                {
                    "checkpoint_time": "2026-05-02T09:00:00+08:00",
                    "tag": "InTransit",
                    "subtag": "InTransit_002",
                    "message": "Picked up",
                }
            ],
            "aftership_estimated_delivery_date": {
                "estimated_delivery_date_min": "2026-05-08",
                "estimated_delivery_date_max": "2026-05-10",
            },
        },
    }
    answer = await api.push("aftership", body, ENTERPRISE)
    assert answer.status_code == 200, answer.text
    shipment = await api.shipment_of(tag, ENTERPRISE)
    assert (shipment["sub_status"], shipment["eta"]["earliest"][:10], shipment["eta"]["latest"][:10]) == (
        "picked_up",
        "2026-05-08",
        "2026-05-10",
    )


async def test_17track_webhook_with_customs_processing(api: LogisticsApi) -> None:
    tag = new_tag()
    await api.feed([waybill_accepted(tag, direction="import", mode="9610")])
    events = [
        {
            "time_iso": "2026-05-02T09:00:00+08:00",
            "sub_status": "InTransit_CustomsProcessing",
            "description": "清关中",
        }
    ]
    body = {
        "event": "TRACKING_UPDATED",
        "data": {
            "number": f"LN{tag}",
            "carrier": 3011,
            "track_info": {"tracking": {"providers": [{"provider": {"key": 3011}, "events": events}]}},
        },
    }
    answer = await api.push("17track", body, CARRIER)
    assert answer.status_code == 200, answer.text
    assert (await api.shipment_of(tag))["sub_status"] == "customs_import_clearance"


async def test_our_csv_batch(api: LogisticsApi) -> None:
    tag = new_tag()
    await api.feed([waybill_accepted(tag)])
    csv = (
        "tracking_number,event_id,occurred_at,status,sub_status,code,text,locode\n"
        f"LN{tag},e1,2026-05-01T10:00:00+08:00,in_transit,picked_up,P1,picked up,CNLYG\n"
        f"LN{tag},e2,2026-05-01T15:00:00+08:00,in_transit,arrived_at_site,S1,at the port,CNLYG\n"
    )
    answer = await api.push("generic", csv, CARRIER, "text/csv")
    assert answer.status_code == 200, answer.text
    assert (await api.shipment_of(tag))["sub_status"] == "arrived_at_site"
