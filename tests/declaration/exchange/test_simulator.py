"""The customs simulator engine: flows, rejections, duplicates, determinism, persistence."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.ceb.model import CebMessage, Record
from services.declaration.ceb.receipt_events import ReceiptEvent, parse_receipt
from services.declaration.ceb.xml_codec import encode_xml
from services.declaration.customs.core.envelope import TransInfo, unwrap, wrap_dxp
from services.declaration.customs.core.lifecycle import RECEIPT_KIND, DocumentKind, fold
from services.declaration.customs.core.signing import SignerIdentity, SoftwareXmlSigner
from services.declaration.customs.core.simulator import CustomsSimulator, SimulatorConfig
from tests.declaration.exchange.exchange_testdata import sign_inventory
from tests.declaration.unit.ceb_testdata import linked_set

T0 = datetime(2024, 5, 18, 10, 0, tzinfo=CUSTOMS_TZ)
LATER = T0 + timedelta(days=3)


def _events(sim: CustomsSimulator, until: datetime = LATER, ack: bool = True) -> list[ReceiptEvent]:
    events = []
    for receipt in sim.due_receipts(until):
        parsed = parse_receipt(unwrap(receipt.payload).business_xml)
        assert not parsed.issues, parsed.issues
        events.extend(parsed.events)
        if ack:
            sim.acknowledge(receipt.id)
    return events


def _statuses(events: list[ReceiptEvent], message_type: str) -> list[str]:
    return [e.return_status for e in events if e.message_type == message_type]


def _send_import(
    sim: CustomsSimulator, signer: SoftwareXmlSigner, trade_mode: str = "1210", order_last: bool = False
) -> None:
    documents = linked_set(trade_mode)
    names = (
        ["payment", "waybill", "inventory", "order"]
        if order_last
        else ["order", "payment", "waybill", "inventory"]
    )
    for minute, name in enumerate(names):
        message = documents[name]
        payload = sign_inventory(message, signer) if name == "inventory" else encode_xml(message)
        sim.receive(payload, T0 + timedelta(minutes=minute))


@pytest.fixture
def signer(rsa_identity: SignerIdentity) -> SoftwareXmlSigner:
    return SoftwareXmlSigner(rsa_identity)


@pytest.mark.parametrize("trade_mode", ["1210", "9610"])
def test_import_inventory_runs_to_899_after_the_three_document_match(
    trade_mode: str, signer: SoftwareXmlSigner
) -> None:
    sim = CustomsSimulator(SimulatorConfig.instant())
    _send_import(sim, signer, trade_mode, order_last=True)
    events = _events(sim)
    assert _statuses(events, "CEB622") == ["2", "3", "120", "399", "800", "899"]
    for receipt in ("CEB312", "CEB412", "CEB512"):
        assert _statuses(events, receipt) == ["2", "120", "399"]
    tax = [e for e in events if e.message_type == "CEB816"]
    assert len(tax) == 1 and tax[0].invt_no == next(e.invt_no for e in events if e.return_status == "800")
    assert Decimal(str(tax[0].fields["valueAddedTax"])) > 0
    state, _ = fold(
        DocumentKind.IMPORT_INVENTORY,
        [e for e in events if RECEIPT_KIND.get(e.message_type) is DocumentKind.IMPORT_INVENTORY],
    )
    assert state.name == "closed"


def test_inventory_waits_for_its_documents(signer: SoftwareXmlSigner) -> None:
    sim = CustomsSimulator(SimulatorConfig.instant())
    documents = linked_set("1210")
    sim.receive(sign_inventory(documents["inventory"], signer), T0)
    assert _statuses(_events(sim), "CEB622") == ["2", "3"]
    sim.receive(encode_xml(documents["order"]), T0)
    sim.receive(encode_xml(documents["waybill"]), T0)
    assert _statuses(_events(sim), "CEB622") == []
    sim.receive(encode_xml(documents["payment"]), T0)
    assert _statuses(_events(sim), "CEB622")[:2] == ["120", "399"]


def test_mismatched_documents_are_rejected_with_a_reason(signer: SoftwareXmlSigner) -> None:
    sim = CustomsSimulator(SimulatorConfig.instant())
    documents = linked_set("1210")
    documents["waybill"].records[0].head["consignee"] = "别人"
    for name in ("order", "payment", "waybill"):
        sim.receive(encode_xml(documents[name]), T0)
    sim.receive(sign_inventory(documents["inventory"], signer), T0)
    rejection = [e for e in _events(sim) if e.message_type == "CEB622" and e.return_status == "100"]
    assert (
        rejection and "三单对碰不通过" in rejection[0].return_info and "consignee" in rejection[0].return_info
    )


def test_review_inspection_and_detention_paths_follow_the_configured_rates(signer: SoftwareXmlSigner) -> None:
    sim = CustomsSimulator(
        SimulatorConfig.instant(
            review_rate=1.0, inspection_rate=1.0, detention_rate=1.0, detention_return_rate=0.0
        )
    )
    _send_import(sim, signer)
    statuses = _statuses(_events(sim), "CEB622")
    assert statuses[:6] == ["2", "3", "120", "300", "399", "500"]
    assert statuses[6] in {"501", "502", "503", "599"} and statuses[7:] == ["800", "899"]
    returned = CustomsSimulator(
        SimulatorConfig.instant(inspection_rate=1.0, detention_rate=1.0, detention_return_rate=1.0)
    )
    _send_import(returned, signer)
    assert _statuses(_events(returned), "CEB622")[-1] == "700"
    rejected = CustomsSimulator(SimulatorConfig.instant(rejection_rate=1.0))
    _send_import(rejected, signer)
    assert _statuses(_events(rejected), "CEB622")[-1] == "100"


def test_schema_failure_answers_with_ceb900_naming_the_copmsgid() -> None:
    sim = CustomsSimulator(SimulatorConfig.instant())
    envelope = wrap_dxp(
        b"<ceb:CEB311Message xmlns:ceb='http://www.chinaport.gov.cn/ceb'/>",
        TransInfo("MSG-1", "DXPENT0000000001", ("DXPEDCCEB0000002",), T0, "CEB311Message"),
    )
    sim.receive(envelope, T0)
    events = _events(sim)
    assert [e.message_type for e in events] == ["CEB900"] and events[0].fields["oriCopMsgId"] == "MSG-1"


def test_business_rule_failure_gets_a_negative_code() -> None:
    sim = CustomsSimulator(SimulatorConfig.instant())
    order = linked_set()["order"]
    order.records[0].head["acturalPaid"] = Decimal("1")
    sim.receive(encode_xml(order), T0)
    events = _events(sim)
    assert len(events) == 1 and events[0].is_error


def test_bad_signature_is_refused_with_621028(signer: SoftwareXmlSigner) -> None:
    sim = CustomsSimulator(SimulatorConfig.instant())
    signed = sign_inventory(linked_set()["inventory"], signer)
    sim.receive(signed.replace(b"<ceb:qty>2</ceb:qty>", b"<ceb:qty>3</ceb:qty>", 1), T0)
    assert [e.return_status for e in _events(sim)] == ["-621028"]


def test_identical_resend_is_answered_not_applied_twice(signer: SoftwareXmlSigner) -> None:
    sim = CustomsSimulator(SimulatorConfig.instant())
    _send_import(sim, signer)
    first = _events(sim)
    order = encode_xml(linked_set()["order"])
    sim.receive(order, LATER)
    again = _events(sim, LATER + timedelta(seconds=1))
    assert [(e.message_type, e.return_status) for e in again] == [("CEB312", "399")]
    assert "重复报文" in again[0].return_info
    assert len([e for e in first if e.return_status == "120" and e.message_type == "CEB622"]) == 1


def test_same_key_with_different_content_is_rejected() -> None:
    sim = CustomsSimulator(SimulatorConfig.instant())
    order = linked_set()["order"]
    sim.receive(encode_xml(order), T0)
    order.records[0].head["note"] = "changed"
    sim.receive(encode_xml(order), T0)
    statuses = _statuses(_events(sim), "CEB312")
    assert statuses == ["2", "100"]


def test_annual_quota_is_enforced_across_inventories(signer: SoftwareXmlSigner) -> None:
    sim = CustomsSimulator(SimulatorConfig.instant())
    for number in range(60):  # ≈ 506 CNY each: the 26,000 annual quota is passed around the 52nd
        documents = linked_set("1210")
        inventory = documents["inventory"]
        inventory.records[0].head["copNo"] = f"COP{number:06d}"
        inventory.records[0].head["orderNo"] = f"ORDER{number:06d}"
        sim.receive(sign_inventory(inventory, signer), T0)
    refused = [e for e in _events(sim) if e.return_status == "-621018"]
    assert 5 <= len(refused) <= 10


def test_cancellation_is_refused_once_the_inventory_is_closed(signer: SoftwareXmlSigner) -> None:
    sim = CustomsSimulator(SimulatorConfig.instant())
    _send_import(sim, signer)
    events = _events(sim, T0 + timedelta(minutes=3, seconds=1))
    invt_no = next(e.invt_no for e in events if e.invt_no)
    sim.receive(sign_inventory(_cancel_message(invt_no), signer), T0 + timedelta(minutes=4))
    events = _events(sim)
    assert _statuses(events, "CEB624") == ["2", "-623005"]


def _cancel_message(invt_no: str, cop_no: str = "COP202405180001") -> CebMessage:
    documents = linked_set("1210")
    inventory = documents["inventory"].records[0].head
    head = {
        name: inventory[name]
        for name in (
            "orderNo",
            "ebpCode",
            "ebpName",
            "ebcCode",
            "ebcName",
            "logisticsNo",
            "logisticsCode",
            "logisticsName",
            "buyerIdType",
            "buyerIdNumber",
            "buyerName",
            "buyerTelephone",
            "agentCode",
            "agentName",
        )
    }
    head.update(
        {
            "guid": "DDT00000-0000-4000-8000-000000000099",
            "appType": "1",
            "appTime": "20240518120000",
            "appStatus": "1",
            "customsCode": "2307",
            "copNo": cop_no,
            "invtNo": invt_no,
            "reason": "客户取消",
        }
    )
    return CebMessage(
        "CEB623",
        "DDT00000-0000-4000-8000-000000000098",
        "1.0",
        [Record(head)],
        base_transfer=documents["inventory"].base_transfer,
        signature=documents["inventory"].signature,
    )


def test_cancellation_before_release_withdraws_later_receipts(signer: SoftwareXmlSigner) -> None:
    slow = SimulatorConfig(seed=0, review_rate=0, inspection_rate=0, rejection_rate=0)
    sim = CustomsSimulator(slow)
    _send_import(sim, signer)
    early = _events(sim, T0 + timedelta(minutes=3, seconds=5))
    invt_no = next(e.invt_no for e in early if e.invt_no)
    assert _statuses(early, "CEB622")[-1] in {"120", "399"}
    sim.receive(sign_inventory(_cancel_message(invt_no), signer), T0 + timedelta(minutes=3, seconds=5))
    rest = _events(sim)
    assert _statuses(rest, "CEB624") == ["2", "120", "399"]
    assert "899" not in _statuses(rest, "CEB622")


def test_state_round_trips_through_json_and_resumes(signer: SoftwareXmlSigner) -> None:
    sim = CustomsSimulator(SimulatorConfig.instant())
    documents = linked_set("1210")
    for name in ("order", "payment", "waybill"):
        sim.receive(encode_xml(documents[name]), T0)
    restored = CustomsSimulator.from_state(json.loads(json.dumps(sim.to_state())), SimulatorConfig.instant())
    restored.receive(sign_inventory(documents["inventory"], signer), T0)
    assert _statuses(_events(restored), "CEB622") == ["2", "3", "120", "399", "800", "899"]


def test_same_seed_same_receipts(signer: SoftwareXmlSigner) -> None:
    runs = []
    for _ in range(2):
        sim = CustomsSimulator(SimulatorConfig(seed=7, review_rate=0.5, inspection_rate=0.5))
        _send_import(sim, signer)
        runs.append([(r.id, r.due, r.business_xml) for r in sim.due_receipts(LATER)])
    assert runs[0] == runs[1]


def test_unacknowledged_receipts_are_delivered_again() -> None:
    sim = CustomsSimulator(SimulatorConfig.instant())
    sim.receive(encode_xml(linked_set()["order"]), T0)
    first = sim.due_receipts(LATER)
    assert [r.id for r in sim.due_receipts(LATER)] == [r.id for r in first]
    sim.acknowledge(first[0].id)
    assert sim.due_receipts(LATER) == [] and sim.pending_count == 0
