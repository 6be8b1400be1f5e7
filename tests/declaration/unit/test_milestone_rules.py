"""The records the track's milestones make (CEB507/509/513), and the firm's choice per message type."""

from __future__ import annotations

import datetime as dt

import pytest

from services.declaration.ceb.json_codec import message_from_json
from services.declaration.milestones import rules

NOW = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)
LOADED = dt.datetime(2026, 12, 6, 16, 30, tzinfo=dt.UTC)  # 00:30 next day in Beijing


def _known(message_type: str, **extra: str) -> rules.Known:
    return rules.Known(message_type, "3207960004", "YT0001", LOADED, logistics_name="测试物流", **extra)


def test_a_type_the_firm_never_named_is_off() -> None:
    assert rules.choice_for(None, "CEB507") == "off"
    assert rules.choice_for({"CEB509": "auto"}, "CEB507") == "off"
    assert rules.choice_for({"CEB509": "auto"}, "CEB509") == "auto"
    assert rules.choice_for({"CEB513": "sometimes"}, "CEB513") == "off"


def test_the_cop_no_is_stable_and_fits_the_field() -> None:
    first = rules.cop_no_for("shp_1:departure")
    assert first == rules.cop_no_for("shp_1:departure") != rules.cop_no_for("shp_1:arrival")
    assert len(first) == 30


def test_a_departure_carries_the_conveyance_and_the_beijing_leave_time() -> None:
    known = _known("CEB509", customs_code="2305", traf_mode="2", traf_name="中韩轮渡", voyage_no="HX2026")
    prepared = rules.prepare(known, "TRK1", "G1", NOW)
    assert prepared.missing == ()
    assert prepared.head["leaveTime"] == "20261207003000"
    assert prepared.head["voyageNo"] == "HX2026" and "billNo" not in prepared.head
    assert prepared.lines == [{"gnum": 1, "logisticsNo": "YT0001"}]


def test_an_arrival_without_the_domestic_vehicle_is_incomplete() -> None:
    prepared = rules.prepare(_known("CEB507", customs_code="2305", traf_mode="2"), "TRK1", "G1", NOW)
    assert prepared.missing == ("domesticTrafNo",)
    # The site's operator defaults to the firm itself.
    assert prepared.head["operatorCode"] == "3207960004" and prepared.head["operatorName"] == "测试物流"


def test_signed_for_is_logistics_status_s_at_the_delivery_time() -> None:
    prepared = rules.prepare(_known("CEB513"), "unused", "G1", NOW)
    assert (prepared.head["logisticsStatus"], prepared.head["logisticsTime"]) == ("S", "20261207003000")
    assert prepared.lines == [] and prepared.missing == ()
    assert rules.record_key("CEB513", prepared.head) == "3207960004|YT0001"


def test_a_message_carries_one_to_a_hundred_records_and_decodes() -> None:
    known = _known("CEB509", customs_code="2305", traf_mode="2")
    records = [
        {"head": p.head, "lines": p.lines}
        for p in (rules.prepare(known, f"TRK{i}", f"G{i}", NOW) for i in range(100))
    ]
    form = rules.message_form("CEB509", records, "3207960004", "测试物流", "DXPENT0000000001")
    decoded = message_from_json({**form, "guid": "A" * 36, "version": "1.0"})
    assert decoded.message is not None and len(decoded.message.records) == 100
    with pytest.raises(ValueError):
        rules.message_form("CEB509", [*records, records[0]], "3207960004", "测试物流", "DXPENT0000000001")
    assert [len(b) for b in rules.batches(list(range(250)))] == [100, 100, 50]
