"""Transports: the embedded simulator, and the directory transport against a separate peer process."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.ceb.receipt_events import parse_receipt
from services.declaration.ceb.xml_codec import encode_xml
from services.declaration.customs.core.envelope import TransInfo, wrap_dxp
from services.declaration.customs.core.lifecycle import RECEIPT_KIND, DocumentKind, fold
from services.declaration.customs.core.signing import SignerIdentity, SoftwareXmlSigner
from services.declaration.customs.core.simulator import CustomsSimulator, SimulatorConfig
from services.declaration.customs.core.transports import (
    CustomsTransport,
    DirectoryTransport,
    InboundReceipt,
    MessageIdReuseError,
    OutboundMessage,
    SimulatorTransport,
)
from tests.declaration.exchange.exchange_testdata import sign_inventory
from tests.declaration.unit.ceb_testdata import linked_set

REPO = Path(__file__).resolve().parents[3]
T0 = datetime(2024, 5, 18, 10, 0, tzinfo=CUSTOMS_TZ)
IMPORT_RECEIPTS = 16  # 6 CEB622 + 3×3 order/payment/waybill + 1 CEB816 (see test_simulator)


def _outbound(signer: SoftwareXmlSigner, prefix: str = "") -> list[OutboundMessage]:
    documents = linked_set("1210")
    messages = []
    for name in ("order", "payment", "waybill", "inventory"):
        message = documents[name]
        business = sign_inventory(message, signer) if name == "inventory" else encode_xml(message)
        message_id = f"{prefix}{name}-0001"
        trans = TransInfo(
            message_id, "DXPENT0000000001", ("DXPEDCCEB0000002",), T0, f"{message.message_type}Message"
        )
        messages.append(OutboundMessage(message_id, message.message_type, wrap_dxp(business, trans)))
    return messages


@pytest.fixture
def signer(rsa_identity: SignerIdentity) -> SoftwareXmlSigner:
    return SoftwareXmlSigner(rsa_identity)


async def _drain(
    transport: CustomsTransport, applied: dict[str, InboundReceipt], want: int, limit_seconds: float = 30
) -> None:
    deadline = time.monotonic() + limit_seconds
    while len(applied) < want:
        assert time.monotonic() < deadline, f"only {len(applied)} of {want} receipts arrived"
        # No more than it wants: a drain that took every receipt the peer had already written
        # would leave none for the caller's next step (the reader-restart test read none, then
        # waited out its deadline whenever the peer was quicker than the drain).
        receipts = await transport.receive(limit=want - len(applied))
        if not receipts:
            await asyncio.sleep(0.02)
        for receipt in receipts:
            applied.setdefault(receipt.sha256, receipt)
            await transport.ack(receipt.id)


def _inventory_state(receipts: list[InboundReceipt]) -> str:
    events = [e for r in receipts for e in parse_receipt(r.business_xml).events]
    inventory = [e for e in events if RECEIPT_KIND.get(e.message_type) is DocumentKind.IMPORT_INVENTORY]
    return fold(DocumentKind.IMPORT_INVENTORY, inventory)[0].name


async def test_simulator_transport_carries_an_import_to_closed_and_persists_state(
    signer: SoftwareXmlSigner,
) -> None:
    saved: list[dict] = []
    clock = [T0]
    transport = SimulatorTransport(
        CustomsSimulator(SimulatorConfig.instant()), lambda: clock[0], saved.append
    )
    assert isinstance(transport, CustomsTransport)
    for message in _outbound(signer):
        await transport.send(message)
        await transport.send(message)  # an identical re-send after a crash is allowed
    with pytest.raises(MessageIdReuseError):
        await transport.send(OutboundMessage("order-0001", "CEB311", b"<other/>"))
    clock[0] = T0 + timedelta(days=1)
    first = await transport.receive()
    assert await transport.receive() == []  # handed out once per transport object
    await transport.release(first[0].id)
    assert [r.id for r in await transport.receive()] == [first[0].id]
    applied: dict[str, InboundReceipt] = {}
    for receipt in first:
        applied[receipt.sha256] = receipt
        await transport.ack(receipt.id)
    assert _inventory_state(list(applied.values())) == "closed"
    resumed = CustomsSimulator.from_state(saved[-1], SimulatorConfig.instant())
    assert resumed.due_receipts(clock[0], limit=50) == resumed.due_receipts(clock[0], limit=50)


@pytest.fixture
def peer(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "exchange"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "services.declaration.customs.core.peer",
            "--root",
            str(root),
            "--state",
            str(tmp_path / "peer.json"),
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == b"peer ready", (
            process.stderr.read() if process.stderr else ""
        )
        yield root
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_directory_transport_against_a_peer_process_with_a_reader_restart(
    peer: Path, signer: SoftwareXmlSigner
) -> None:
    sender = DirectoryTransport(peer, settle_seconds=0)
    for message in _outbound(signer):
        await sender.send(message)
    assert not list((peer / "tmp").glob("*.part"))

    applied: dict[str, InboundReceipt] = {}
    reader = DirectoryTransport(peer, settle_seconds=0)
    await _drain(reader, applied, 5)
    # Read more but "crash" before applying/acking them: a new reader must see them again.
    deadline = time.monotonic() + 30
    unacked: list[InboundReceipt] = []
    while not unacked:
        assert time.monotonic() < deadline
        unacked = await reader.receive(limit=3)
        await asyncio.sleep(0.02)
    restarted = DirectoryTransport(peer, settle_seconds=0)
    await _drain(restarted, applied, IMPORT_RECEIPTS)
    assert {r.sha256 for r in unacked} <= set(applied)
    assert len(applied) == IMPORT_RECEIPTS
    assert len(list((peer / "processed").iterdir())) == IMPORT_RECEIPTS
    assert not list((peer / "inbox").iterdir())
    assert _inventory_state(list(applied.values())) == "closed"


def test_reader_killed_between_apply_and_ack_loses_nothing_and_applies_nothing_twice(
    peer: Path, signer: SoftwareXmlSigner, tmp_path: Path
) -> None:
    sender = DirectoryTransport(peer, settle_seconds=0)
    for message in _outbound(signer):
        asyncio.run(sender.send(message))
    journal = tmp_path / "journal.txt"
    command = [
        sys.executable,
        str(Path(__file__).with_name("reader_process.py")),
        "--root",
        str(peer),
        "--journal",
        str(journal),
        "--expected",
        str(IMPORT_RECEIPTS),
    ]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for crash_after in (3, 4):
        killed = subprocess.run(
            [*command, "--crash-after", str(crash_after)], cwd=REPO, env=env, timeout=60, check=False
        )
        assert killed.returncode == -9
    finished = subprocess.run(command, cwd=REPO, env=env, timeout=60, check=False)
    assert finished.returncode == 0
    lines = journal.read_text().split()
    assert len(lines) == IMPORT_RECEIPTS and len(set(lines)) == IMPORT_RECEIPTS


async def test_unreadable_inbox_files_are_moved_aside_with_a_reason(tmp_path: Path) -> None:
    transport = DirectoryTransport(tmp_path, settle_seconds=0)
    (tmp_path / "inbox" / "garbage.xml").write_bytes(b"<not-closed")
    (tmp_path / "inbox" / "order.xml").write_bytes(encode_xml(linked_set()["order"]))
    assert await transport.receive() == []
    assert (tmp_path / "failed" / "garbage.xml").exists()
    assert "not well-formed" in (tmp_path / "failed" / "garbage.xml.reason").read_text()
    assert "declaration" in (tmp_path / "failed" / "order.xml.reason").read_text()


async def test_a_fresh_partial_file_is_left_alone_until_it_settles(tmp_path: Path) -> None:
    transport = DirectoryTransport(tmp_path, settle_seconds=3600)
    (tmp_path / "inbox" / "half.xml").write_bytes(b"<DxpMsg xmlns='http://www.chinaport.gov.cn/dxp'")
    assert await transport.receive() == []
    assert (tmp_path / "inbox" / "half.xml").exists() and not list((tmp_path / "failed").iterdir())


async def test_message_id_cannot_be_reused_for_other_content_even_after_pickup(tmp_path: Path) -> None:
    transport = DirectoryTransport(tmp_path)
    await transport.send(OutboundMessage("msg/1", "CEB311", b"<a/>"))
    (tmp_path / "outbox" / "msg_1.xml").unlink()  # the client picked it up
    await transport.send(OutboundMessage("msg/1", "CEB311", b"<a/>"))
    with pytest.raises(MessageIdReuseError):
        await transport.send(OutboundMessage("msg/1", "CEB311", b"<b/>"))


async def test_a_redelivered_processed_file_is_retired_without_being_applied(tmp_path: Path) -> None:
    sim = CustomsSimulator(SimulatorConfig.instant())
    sim.receive(encode_xml(linked_set()["order"]), T0)
    payload = sim.due_receipts(T0 + timedelta(seconds=1))[0].payload
    transport = DirectoryTransport(tmp_path, settle_seconds=0)
    (tmp_path / "inbox" / "r1.xml").write_bytes(payload)
    [receipt] = await transport.receive()
    await transport.ack(receipt.id)
    (tmp_path / "inbox" / "r1.xml").write_bytes(payload)
    assert await DirectoryTransport(tmp_path, settle_seconds=0).receive() == []
    assert not (tmp_path / "inbox" / "r1.xml").exists()
