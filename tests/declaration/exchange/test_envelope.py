"""DxpMsg / DxpMsgSv wrapping and hardened unwrapping."""

from __future__ import annotations

import base64
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.customs.core.envelope import (
    AddInfo,
    EnvelopeError,
    SvNo,
    TransInfo,
    message_type_of,
    msg_id,
    unwrap,
    wrap_dxp,
    wrap_dxp_sv,
)
from tests.declaration.exchange.exchange_testdata import unsigned_inventory

NOW = datetime(2024, 5, 18, 12, 30, 5, tzinfo=CUSTOMS_TZ)
TRANS = TransInfo("DDT-MSG-0001", "DXPENT0000000001", ("DXPEDCCEB0000002",), NOW, "CEB621Message")


def test_dxp_msg_round_trips_the_business_xml_and_headers() -> None:
    business = unsigned_inventory()
    add = AddInfo(file_name="CEB621_DDT-MSG-0001.xml", biz_keys=(("DealFlag", "1"),))
    envelope = wrap_dxp(business, TRANS, add)
    got = unwrap(envelope)
    assert got.kind == "DxpMsg" and got.business_xml == business
    assert got.trans_info == TRANS and got.add_info == add and got.message_type == "CEB621Message"
    assert b"<CreatTime>2024-05-18T12:30:05</CreatTime>" in envelope


def test_dxp_msg_sv_wraps_the_dxp_msg_with_a_32_character_msg_id() -> None:
    business = unsigned_inventory()
    identifier = msg_id("32070001", NOW, 42)
    assert identifier == "32070001" + "20240518123005" + "0000000042" and len(identifier) == 32
    sv = SvNo(identifier, NOW, end_node="00000001", sta_node="32070001", sub_msg_id="1")
    got = unwrap(wrap_dxp_sv(business, TRANS, sv))
    assert got.kind == "DxpMsgSv" and got.sv_no == sv and got.business_xml == business


def test_msg_id_uses_beijing_time_whatever_the_input_zone() -> None:
    utc = NOW.astimezone(CUSTOMS_TZ).replace(tzinfo=None)
    from datetime import UTC

    assert msg_id("12345678", NOW.astimezone(UTC), 1)[8:22] == utc.strftime("%Y%m%d%H%M%S")


def test_bare_ceb_message_passes_through_unwrap() -> None:
    business = unsigned_inventory()
    assert unwrap(business).kind == "bare" and message_type_of(business) == "CEB621Message"


@pytest.mark.parametrize(
    "bad",
    [
        b"not xml",
        b'<!DOCTYPE x [<!ENTITY a "b">]><DxpMsg xmlns="http://www.chinaport.gov.cn/dxp" ver="1.0"/>',
        b'<DxpMsg xmlns="http://www.chinaport.gov.cn/dxp" ver="1.0"><Data>AAAA</Data></DxpMsg>',
        b"<Other/>",
    ],
)
def test_hostile_or_invalid_envelopes_are_refused(bad: bytes) -> None:
    with pytest.raises(EnvelopeError):
        unwrap(bad)


def test_data_that_is_not_base64_is_refused() -> None:
    envelope = wrap_dxp(b"<x/>", TRANS).replace(base64.b64encode(b"<x/>"), b"!!!!")
    with pytest.raises(EnvelopeError):
        unwrap(envelope)


def test_invalid_headers_are_refused_before_anything_is_written() -> None:
    with pytest.raises(EnvelopeError):
        wrap_dxp(b"<x/>", TransInfo("id", "S", (), NOW, "T"))
    with pytest.raises(EnvelopeError):
        wrap_dxp(b"<x/>", TransInfo("id", "S" * 17, ("R",), NOW, "T"))
    with pytest.raises(EnvelopeError):
        msg_id("1234", NOW, 1)
    with pytest.raises(EnvelopeError):
        wrap_dxp_sv(b"<x/>", TRANS, SvNo("x" * 32, NOW, "ABC", "32070001"))


@given(st.binary(min_size=1, max_size=2000))
def test_any_payload_survives_the_envelope_unchanged(payload: bytes) -> None:
    assert unwrap(wrap_dxp(payload, TRANS)).business_xml == payload
