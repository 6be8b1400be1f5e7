"""The simulator's random refusals: a real reason in returnInfo, reproducible per document from the seed."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.ceb.model import CebMessage
from services.declaration.ceb.receipt_events import ReceiptEvent, parse_receipt
from services.declaration.ceb.xml_codec import encode_xml
from services.declaration.customs.core.envelope import unwrap
from services.declaration.customs.core.simulator import CustomsSimulator, SimulatorConfig
from services.declaration.customs.core.simulator.refusals import (
    REFUSAL_REASON_CODES,
    REFUSAL_REASONS,
    refusal_for,
)
from services.declaration.quota.rules import QuotaLimits
from tests.declaration.unit.ceb_testdata import linked_set

T0 = datetime(2024, 5, 18, 10, 0, tzinfo=CUSTOMS_TZ)
LATER = T0 + timedelta(days=3)


def _numbered_set(n: int, note: str | None = None) -> dict[str, CebMessage]:
    """A linked order/payment/waybill/inventory set of its own (keys suffixed with ``n``)."""
    documents = linked_set("1210")
    suffix = f"{n:06d}"
    for message in documents.values():
        message.guid = f"{message.guid[:-6]}{suffix}"
        head = message.records[0].head
        for name in ("orderNo", "logisticsNo", "payTransactionId", "copNo"):
            if name in head:
                head[name] = f"{str(head[name])[:-6]}{suffix}"
    if note is not None:
        documents["inventory"].records[0].head["note"] = note
    return documents


def _config(seed: int = 11, rejection_rate: float = 0.5) -> SimulatorConfig:
    # The quota is off (one buyer files every set) and the inventories keep the test data's
    # placeholder signature: neither the limit nor signing is under test.
    return SimulatorConfig.instant(
        seed=seed,
        rejection_rate=rejection_rate,
        review_rate=0.3,
        track_annual_quota=False,
        verify_signatures=False,
    )


def _send(sim: CustomsSimulator, sets: list[dict[str, CebMessage]], names: list[str]) -> None:
    for minute, documents in enumerate(sets):
        for name in names:
            sim.receive(encode_xml(documents[name]), T0 + timedelta(minutes=minute))


def _inventory_receipts(sim: CustomsSimulator) -> list[ReceiptEvent]:
    events: list[ReceiptEvent] = []
    for receipt in sim.due_receipts(LATER):
        parsed = parse_receipt(unwrap(receipt.payload).business_xml)
        assert not parsed.issues, parsed.issues
        events.extend(e for e in parsed.events if e.message_type == "CEB622")
        sim.acknowledge(receipt.id)
    return events


def _refusals(events: list[ReceiptEvent]) -> dict[str, str]:
    """copNo → returnInfo of each inventory's 100."""
    return {str(e.fields["copNo"]): e.return_info for e in events if e.return_status == "100"}


def _fates(events: list[ReceiptEvent]) -> dict[str, tuple[str, str]]:
    """copNo → (last status, its returnInfo) of each inventory."""
    fates: dict[str, tuple[str, str]] = {}
    for event in events:
        fates[str(event.fields["copNo"])] = (event.return_status, event.return_info)
    return fates


def test_a_random_refusal_carries_the_reason_the_seed_gives_the_document_in_return_info() -> None:
    sim = CustomsSimulator(_config(rejection_rate=1.0))
    documents = _numbered_set(1)
    _send(sim, [documents], ["order", "payment", "waybill", "inventory"])
    refusal = [e for e in _inventory_receipts(sim) if e.return_status == "100"]
    record = documents["inventory"].records[0]
    key = f"CEB621|{record.head['copNo']}|{record.head['agentCode']}"
    expected = refusal_for(11, key, len(record.lines)).return_info(record, QuotaLimits())
    assert [e.return_info for e in refusal] == [expected]


def test_same_seed_gives_each_document_the_same_fate_and_reason_whatever_the_arrival_order() -> None:
    sets = [_numbered_set(n) for n in range(24)]
    forward = CustomsSimulator(_config())
    _send(forward, sets, ["order", "payment", "waybill", "inventory"])
    shuffled = list(sets)
    random.Random(5).shuffle(shuffled)  # noqa: S311 - test data order
    backward = CustomsSimulator(_config())
    _send(backward, shuffled, ["inventory", "waybill", "payment", "order"])
    first, second = _fates(_inventory_receipts(forward)), _fates(_inventory_receipts(backward))
    assert {status for status, _ in first.values()} == {"100", "899"}  # both fates occur
    assert first == second


def test_another_seed_gives_other_reasons() -> None:
    sets = [_numbered_set(n) for n in range(12)]
    runs = []
    for seed in (1, 2):
        sim = CustomsSimulator(_config(seed=seed, rejection_rate=1.0))
        _send(sim, sets, ["order", "payment", "waybill", "inventory"])
        runs.append(_refusals(_inventory_receipts(sim)))
    assert runs[0].keys() == runs[1].keys() and runs[0] != runs[1]


def test_every_reason_in_the_catalogue_is_reachable() -> None:
    drawn = {refusal_for(3, f"CEB621|COP{n:08d}|3207960005", 3).reason.code for n in range(600)}
    assert drawn == set(REFUSAL_REASON_CODES)


@given(seed=st.integers(0, 2**63), key=st.text(min_size=1, max_size=60), lines=st.integers(1, 99))
def test_the_reason_of_a_document_is_a_function_of_seed_and_key_and_names_one_of_its_lines(
    seed: int, key: str, lines: int
) -> None:
    refusal = refusal_for(seed, key, lines)
    assert refusal == refusal_for(seed, key, lines) and 0 <= refusal.line_index < lines


def test_every_reason_renders_a_customs_refusal_text_naming_the_line_it_concerns() -> None:
    record = _numbered_set(1)["inventory"].records[0]
    for reason in REFUSAL_REASONS:
        text = reason.return_info(record, 1)
        concerned = f"第{record.lines[1]['gnum']}项" in text
        assert text.startswith(f"海关退单：{reason.summary}，") and concerned == reason.concerns_line, text


def test_no_reason_quotes_the_buyer_or_consignee() -> None:
    record = _numbered_set(1)["inventory"].records[0]
    personal = [str(record.head[name]) for name in ("buyerName", "buyerIdNumber", "buyerTelephone")]
    texts = [reason.return_info(record, 0) for reason in REFUSAL_REASONS]
    assert not [text for text in texts if any(value in text for value in personal)]


def _batched(sets: list[dict[str, CebMessage]], name: str, size: int = 100) -> list[bytes]:
    """The ``name`` documents of ``sets`` as messages of up to ``size`` records (each its own document)."""
    messages = []
    for start in range(0, len(sets), size):
        first = sets[start][name]
        records = [documents[name].records[0] for documents in sets[start : start + size]]
        batch = CebMessage(first.message_type, first.guid, first.version, records, first.base_transfer)
        batch.signature = first.signature
        messages.append(encode_xml(batch))
    return messages


def test_the_refusal_rate_is_close_to_the_configured_rate() -> None:
    count, rate = 400, 0.1
    sim = CustomsSimulator(replace(_config(seed=2024, rejection_rate=rate), receipts_per_message=100))
    sets = [_numbered_set(n) for n in range(count)]
    for name in ("order", "payment", "waybill", "inventory"):
        for message in _batched(sets, name):
            sim.receive(message, T0)
    refused = len(_refusals(_inventory_receipts(sim)))
    # Four standard deviations of a binomial: a fixed seed makes the outcome fixed, the bound
    # says it is what a fair draw at this rate gives.
    assert abs(refused - count * rate) <= 4 * math.sqrt(count * rate * (1 - rate))


@pytest.mark.parametrize("code", ["price_too_low", "origin_mismatch"])
def test_a_scenario_note_forces_a_refusal_with_the_reason_it_names(code: str) -> None:
    sim = CustomsSimulator(_config(rejection_rate=0.0))
    documents = _numbered_set(1, note=f"[SIM:reject:{code}]")
    _send(sim, [documents], ["order", "payment", "waybill", "inventory"])
    (text,) = _refusals(_inventory_receipts(sim)).values()
    assert text.startswith(f"海关退单：{REFUSAL_REASON_CODES[code].summary}，")
