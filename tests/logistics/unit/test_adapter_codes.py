"""Every native code of every mapping table, through its real parser: one test per code.

The expectations are written here by hand from each source's definitions (not read from
the tables), and each table's code set must equal the set tested, so a code added to a
table without a test — or a test for a code the table lost — fails.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from services.logistics.adapters import aggregators, dcsa, fsu, kdniao, sf, upu
from services.logistics.adapters.model import Parsed
from services.logistics.adapters.tables import resolve_clearance, table
from shared.xml_security import XmlLimits

NOW = dt.datetime(2026, 5, 3, 12, tzinfo=dt.UTC)
LIMITS = XmlLimits()
CLEAR = "customs_clearance"  # direction decided by the shipment

UPU = {
    "EMA": ("in_transit", "accepted_at_origin"),
    "EMB": ("in_transit", "arrived_at_site"),
    "EXA": ("in_transit", "customs_export_clearance"),
    "EXB": ("exception", "customs_held"),
    "EXC": ("in_transit", "customs_released"),
    "EXD": ("exception", "delayed"),
    "EXX": ("cancelled", "cancelled_by_shipper"),
    "EMC": ("in_transit", "departed"),
    "EMJ": ("in_transit", "arrived_at_facility"),
    "EMK": ("in_transit", "departed_facility"),
    "EMD": ("in_transit", "arrived"),
    "EDA": ("in_transit", "customs_import_clearance"),
    "EDB": ("in_transit", "customs_import_clearance"),
    "EME": ("exception", "customs_held"),
    "EDC": ("in_transit", "customs_released"),
    "EMF": ("in_transit", "customs_released"),
    "EDD": ("in_transit", "arrived_at_facility"),
    "EDE": ("in_transit", "departed_facility"),
    "EMG": ("in_transit", "in_delivery_city"),
    "EDF": ("exception", "delayed"),
    "EDG": ("out_for_delivery", "with_courier"),
    "EDH": ("available_for_pickup", "at_pickup_point"),
    "EMH": ("failed_attempt", "recipient_unavailable"),
    "EMI": ("delivered", "signed"),
}
FSU = {
    "BKD": ("info_received", "booked"),
    "FOH": ("in_transit", "accepted_at_origin"),
    "RCS": ("in_transit", "arrived_at_site"),
    "PRE": ("in_transit", None),
    "MAN": ("in_transit", "loaded"),
    "DEP": ("in_transit", "departed"),
    "ARR": ("in_transit", "arrived"),
    "RCF": ("in_transit", "discharged"),
    "RCT": ("in_transit", "arrived_at_facility"),
    "TFD": ("in_transit", "handed_over"),
    "CRC": ("in_transit", "customs_import_clearance"),
    "CCD": ("in_transit", "customs_released"),
    "NFD": ("available_for_pickup", "at_pickup_point"),
    "AWD": ("in_transit", None),
    "DLV": ("delivered", "signed"),
    "DIS": ("exception", "other_exception"),
}
DCSA = {
    "SHIPMENT:RECE": ("info_received", "label_created"),
    "SHIPMENT:DRFT": ("info_received", None),
    "SHIPMENT:PENA": ("info_received", None),
    "SHIPMENT:PENU": ("info_received", None),
    "SHIPMENT:REJE": ("exception", "other_exception"),
    "SHIPMENT:APPR": ("info_received", None),
    "SHIPMENT:ISSU": ("info_received", None),
    "SHIPMENT:SURR": ("in_transit", None),
    "SHIPMENT:SUBM": ("info_received", None),
    "SHIPMENT:VOID": ("cancelled", "cancelled_by_shipper"),
    "SHIPMENT:CONF": ("info_received", "booked"),
    "SHIPMENT:PENC": ("info_received", None),
    "SHIPMENT:CANC": ("cancelled", "cancelled_by_shipper"),
    "SHIPMENT:CMPL": ("info_received", None),
    "SHIPMENT:RELS": ("in_transit", "customs_released"),
    "SHIPMENT:REQS": ("info_received", None),
    "SHIPMENT:HOLD": ("exception", "customs_held"),
    "SHIPMENT:DECL": ("cancelled", "cancelled_by_shipper"),
    "TRANSPORT:ARRI": ("in_transit", "arrived"),
    "TRANSPORT:DEPA": ("in_transit", "departed"),
    "TRANSPORT:ARRI@BORD": ("in_transit", "border_crossed"),
    "TRANSPORT:DEPA@BORD": ("in_transit", "border_crossed"),
    "TRANSPORT:ARRI@WAYP": ("in_transit", "arrived_at_facility"),
    "TRANSPORT:DEPA@WAYP": ("in_transit", "departed_facility"),
    "EQUIPMENT:LOAD": ("in_transit", "loaded"),
    "EQUIPMENT:DISC": ("in_transit", "discharged"),
    "EQUIPMENT:GTIN": ("in_transit", "arrived_at_site"),
    "EQUIPMENT:GTIN@DEPO": ("in_transit", "arrived_at_facility"),
    "EQUIPMENT:GTOT": ("in_transit", "departed_facility"),
    "EQUIPMENT:STUF": ("in_transit", "accepted_at_origin"),
    "EQUIPMENT:STRP": ("in_transit", "arrived_at_facility"),
    "EQUIPMENT:PICK": ("in_transit", "picked_up"),
    "EQUIPMENT:DROP": ("delivered", "signed"),
    "EQUIPMENT:INSP": ("exception", "customs_held"),
    "EQUIPMENT:RSEA": ("in_transit", None),
    "EQUIPMENT:RMVD": ("in_transit", None),
}
KDNIAO = {
    "0": ("pending", None),
    "1": ("in_transit", "picked_up"),
    "2": ("in_transit", None),
    "201": ("in_transit", "in_delivery_city"),
    "202": ("out_for_delivery", "with_courier"),
    "204": ("in_transit", "arrived_at_facility"),
    "205": ("in_transit", "in_delivery_city"),
    "206": ("in_transit", "departed_facility"),
    "211": ("available_for_pickup", "at_pickup_point"),
    "3": ("delivered", "signed"),
    "301": ("delivered", "signed"),
    "302": ("delivered", "signed"),
    "304": ("delivered", "signed_by_proxy"),
    "311": ("delivered", "delivered_to_locker"),
    "4": ("exception", "other_exception"),
    "401": ("exception", "delayed"),
    "402": ("exception", "delayed"),
    "403": ("exception", "delayed"),
    "404": ("returning", "return_to_sender"),
    "405": ("failed_attempt", None),
    "406": ("returned", "return_signed"),
    "407": ("returning", "return_to_sender"),
    "412": ("exception", "delayed"),
    "413": ("exception", "other_exception"),
    "414": ("exception", "damaged"),
    "415": ("cancelled", "cancelled_by_shipper"),
    "416": ("failed_attempt", "recipient_unavailable"),
    "417": ("exception", "delayed"),
    "419": ("out_for_delivery", "with_courier"),
    "420": ("failed_attempt", "address_problem"),
    "421": ("failed_attempt", "recipient_unavailable"),
    "422": ("exception", "misrouted"),
    "423": ("exception", "other_exception"),
    "5": ("in_transit", "handed_over"),
    "6": ("in_transit", CLEAR),
    "601": ("in_transit", CLEAR),
    "602": ("in_transit", CLEAR),
    "603": ("in_transit", "customs_released"),
    "604": ("exception", "customs_held"),
    "10": ("info_received", "label_created"),
}
SF = {
    "op:50": ("in_transit", "picked_up"),
    "op:54": ("in_transit", "picked_up"),
    "op:30": ("in_transit", "arrived_at_facility"),
    "op:31": ("in_transit", "arrived_at_facility"),
    "op:36": ("in_transit", "departed_facility"),
    "op:105": ("in_transit", "arrived"),
    "op:106": ("in_transit", "in_delivery_city"),
    "op:310": ("in_transit", None),
    "op:605": ("in_transit", CLEAR),
    "op:44": ("out_for_delivery", "with_courier"),
    "op:204": ("out_for_delivery", "with_courier"),
    "op:80": ("delivered", "signed"),
    "text:完成分拣": ("in_transit", "arrived_at_facility"),
    "text:快件离开": ("in_transit", "departed_facility"),
    "text:派送中": ("out_for_delivery", "with_courier"),
    "text:已签收": ("delivered", "signed"),
    "text:清关": ("in_transit", CLEAR),
}
AFTERSHIP = {
    "tag:Pending": ("pending", None),
    "tag:InfoReceived": ("info_received", None),
    "tag:InTransit": ("in_transit", None),
    "tag:OutForDelivery": ("out_for_delivery", "with_courier"),
    "tag:AttemptFail": ("failed_attempt", None),
    "tag:Delivered": ("delivered", "signed"),
    "tag:AvailableForPickup": ("available_for_pickup", "at_pickup_point"),
    "tag:Exception": ("exception", "other_exception"),
    "tag:Expired": ("expired", "no_updates"),
    "sub:InfoReceived_001": ("info_received", "label_created"),
    "sub:InTransit_001": ("in_transit", None),
    "sub:InTransit_002": ("in_transit", "picked_up"),
    "sub:InTransit_003": ("in_transit", "arrived_at_facility"),
    "sub:InTransit_004": ("in_transit", "arrived"),
    "sub:InTransit_005": ("in_transit", "customs_released"),
    "sub:InTransit_006": ("in_transit", CLEAR),
    "sub:InTransit_007": ("in_transit", "departed_facility"),
    "sub:OutForDelivery_001": ("out_for_delivery", "with_courier"),
    "sub:AttemptFail_001": ("failed_attempt", "recipient_unavailable"),
    "sub:AttemptFail_002": ("failed_attempt", "recipient_unavailable"),
    "sub:Delivered_001": ("delivered", "signed"),
    "sub:Delivered_002": ("delivered", "signed"),
    "sub:Delivered_003": ("delivered", "signed"),
    "sub:Delivered_004": ("delivered", "signed_by_proxy"),
    "sub:AvailableForPickup_001": ("available_for_pickup", "at_pickup_point"),
    "sub:Exception_002": ("failed_attempt", "address_problem"),
    "sub:Exception_003": ("failed_attempt", "refused_by_recipient"),
    "sub:Exception_004": ("exception", "customs_held"),
    "sub:Exception_005": ("exception", "delayed"),
    "sub:Exception_018": ("exception", "customs_held"),
}
SEVENTEEN = {
    "main:NotFound": ("pending", None),
    "main:InfoReceived": ("info_received", None),
    "main:InTransit": ("in_transit", None),
    "main:Expired": ("expired", "no_updates"),
    "main:AvailableForPickup": ("available_for_pickup", "at_pickup_point"),
    "main:OutForDelivery": ("out_for_delivery", "with_courier"),
    "main:DeliveryFailure": ("failed_attempt", None),
    "main:Delivered": ("delivered", "signed"),
    "main:Exception": ("exception", "other_exception"),
    "sub:NotFound_Other": ("pending", None),
    "sub:NotFound_InvalidCode": ("pending", None),
    "sub:InfoReceived": ("info_received", "label_created"),
    "sub:InTransit_PickedUp": ("in_transit", "picked_up"),
    "sub:InTransit_Other": ("in_transit", None),
    "sub:InTransit_Departure": ("in_transit", "departed_facility"),
    "sub:InTransit_Arrival": ("in_transit", "arrived_at_facility"),
    "sub:InTransit_CustomsProcessing": ("in_transit", CLEAR),
    "sub:InTransit_CustomsReleased": ("in_transit", "customs_released"),
    "sub:InTransit_CustomsRequiringInformation": ("exception", "customs_held"),
    "sub:Expired_Other": ("expired", "no_updates"),
    "sub:AvailableForPickup_Other": ("available_for_pickup", "at_pickup_point"),
    "sub:OutForDelivery_Other": ("out_for_delivery", "with_courier"),
    "sub:DeliveryFailure_Other": ("failed_attempt", None),
    "sub:DeliveryFailure_NoBody": ("failed_attempt", "recipient_unavailable"),
    "sub:DeliveryFailure_Security": ("failed_attempt", None),
    "sub:DeliveryFailure_Rejected": ("failed_attempt", "refused_by_recipient"),
    "sub:DeliveryFailure_InvalidAddress": ("failed_attempt", "address_problem"),
    "sub:Delivered_Other": ("delivered", "signed"),
    "sub:Exception_Other": ("exception", "other_exception"),
    "sub:Exception_Returning": ("returning", "return_to_sender"),
    "sub:Exception_Returned": ("returned", "return_signed"),
    "sub:Exception_NoBody": ("exception", "other_exception"),
    "sub:Exception_Security": ("exception", "other_exception"),
    "sub:Exception_Damage": ("exception", "damaged"),
    "sub:Exception_Rejected": ("exception", "other_exception"),
    "sub:Exception_Delayed": ("exception", "delayed"),
    "sub:Exception_Lost": ("exception", "lost"),
    "sub:Exception_Destroyed": ("exception", "lost"),
    "sub:Exception_Cancel": ("cancelled", "cancelled_by_shipper"),
}


def _only(parsed: Parsed) -> tuple[str, str | None]:
    assert not parsed.refusals, parsed.refusals
    (candidate,) = parsed.candidates
    assert candidate.mapped is not None and candidate.mapped.mapped, "fell back instead of mapping"
    mapped = candidate.mapped
    sub = CLEAR if mapped.customs_clearance else (mapped.sub_status.value if mapped.sub_status else None)
    return mapped.status.value, sub


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("upu_emsevt", UPU),
        ("iata_fsu", FSU),
        ("dcsa", DCSA),
        ("kdniao", KDNIAO),
        ("sf", SF),
        ("aftership", AFTERSHIP),
        ("17track", SEVENTEEN),
    ],
)
def test_every_code_of_the_table_is_tested(name: str, expected: dict[str, object]) -> None:
    assert table(name).keys == set(expected)


@pytest.mark.parametrize(("code", "expected"), sorted(UPU.items()))
def test_upu_emsevt(code: str, expected: tuple[str, str | None]) -> None:
    body = (
        f"<EMSEVT version='3'><Event><MailitemID>EA123456785CN</MailitemID><EventCode>{code}</EventCode>"
        "<EventDateTime>2026-05-01T10:00:00+08:00</EventDateTime><Office>CNLYGA</Office></Event></EMSEVT>"
    ).encode()
    assert _only(upu.parse(body, 100, LIMITS)) == expected


@pytest.mark.parametrize(("code", "expected"), sorted(FSU.items()))
def test_iata_fsu(code: str, expected: tuple[str, str | None]) -> None:
    body = f"FSU/14\n784-12345675PVGFRA/T2K35.0\n{code}/CZ431/02MAY1130/PVGFRA/T2K35.0\n".encode()
    assert _only(fsu.parse(body, 100, NOW)) == expected


@pytest.mark.parametrize(("code", "expected"), sorted(DCSA.items()))
def test_dcsa(code: str, expected: tuple[str, str | None]) -> None:
    key, _, facility = code.partition("@")
    event_type, event_code = key.split(":")
    field = {"SHIPMENT": "shipmentEventTypeCode", "TRANSPORT": "transportEventTypeCode"}.get(
        event_type, "equipmentEventTypeCode"
    )
    event = {
        "eventID": "e-1",
        "eventType": event_type,
        field: event_code,
        "eventClassifierCode": "ACT",
        "eventDateTime": "2026-05-01T10:00:00+08:00",
        "documentReferences": [{"documentReferenceType": "TRD", "documentReferenceValue": "LYGK123"}],
        "eventLocation": {"UNLocationCode": "CNLYG", **({"facilityTypeCode": facility} if facility else {})},
    }
    assert _only(dcsa.parse(json.dumps([event]).encode(), 100)) == expected


@pytest.mark.parametrize(("code", "expected"), sorted(KDNIAO.items()))
def test_kdniao(code: str, expected: tuple[str, str | None]) -> None:
    trace = {"AcceptTime": "2026-05-01 10:00:00", "AcceptStation": "连云港", "Action": code}
    body = {"Data": [{"ShipperCode": "SF", "LogisticCode": "SF100", "Traces": [trace]}]}
    assert _only(kdniao.parse(json.dumps(body).encode(), 100)) == expected


@pytest.mark.parametrize(("code", "expected"), sorted(SF.items()))
def test_sf(code: str, expected: tuple[str, str | None]) -> None:
    kind, value = code.split(":", 1)
    op, remark = (value, "") if kind == "op" else ("999", f"快件{value}了")
    body = (
        f'<Request service="RoutePushService"><Body><WaybillRoute id="1" mailno="SF100" '
        f'acceptTime="2026-05-01 10:00:00" opCode="{op}" remark="{remark}"/></Body></Request>'
    ).encode()
    assert _only(sf.parse(body, 100, LIMITS, xml=True)) == expected


@pytest.mark.parametrize(("code", "expected"), sorted(AFTERSHIP.items()))
def test_aftership(code: str, expected: tuple[str, str | None]) -> None:
    kind, value = code.split(":", 1)
    checkpoint = {"checkpoint_time": "2026-05-01T10:00:00+08:00", "slug": "sf-express"}
    checkpoint["tag" if kind == "tag" else "subtag"] = value
    body = {"msg": {"tracking_number": "SF100", "slug": "sf-express", "checkpoints": [checkpoint]}}
    assert _only(aggregators.parse_aftership(json.dumps(body).encode(), 100)) == expected


@pytest.mark.parametrize(("code", "expected"), sorted(SEVENTEEN.items()))
def test_17track(code: str, expected: tuple[str, str | None]) -> None:
    kind, value = code.split(":", 1)
    event = {"time_iso": "2026-05-01T10:00:00+08:00", "description": "x"}
    event["stage" if kind == "main" else "sub_status"] = value
    providers = [{"provider": {"key": 3011}, "events": [event]}]
    body = {
        "event": "TRACKING_UPDATED",
        "data": {"number": "RR1", "track_info": {"tracking": {"providers": providers}}},
    }
    assert _only(aggregators.parse_17track(json.dumps(body).encode(), 100)) == expected


def test_an_unknown_code_is_kept_raw_and_falls_back() -> None:
    body = b"FSU/14\n784-12345675PVGFRA/T2K35.0\nZZZ/02MAY1130/PVG\n"
    (candidate,) = fsu.parse(body, 100, NOW).candidates
    assert (candidate.raw_code, candidate.mapped and candidate.mapped.mapped) == ("ZZZ", False)
    assert candidate.mapped is not None and candidate.mapped.status.value == "in_transit"


@pytest.mark.parametrize(
    ("direction", "sub"), [("export", "customs_export_clearance"), ("import", "customs_import_clearance")]
)
def test_a_direction_less_clearance_takes_the_shipments_direction(direction: str, sub: str) -> None:
    mapped = table("kdniao").lookup("602")
    resolved = resolve_clearance(mapped, direction)
    assert resolved.sub_status is not None and resolved.sub_status.value == sub
