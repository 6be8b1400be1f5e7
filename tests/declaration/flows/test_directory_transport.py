"""The directory transport against a separate peer process that answers with receipt files.

The service writes each message atomically into ``outbox/``; the peer
(``python -m services.declaration.customs.core.peer``: the data-exchange client and customs
in one) consumes it and writes DxpMsg receipt files into ``inbox/``; the service applies
them and moves each into ``processed/``. Killing the peer (-9) and starting it again on
its state file loses nothing; a file in the inbox that is not a customs message is moved
to ``failed/`` with its reason and nothing else is disturbed.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.declaration.flows.flowkit import Flow, arrival, departure
from tests.declaration.service.factory import CARRIER_PARTY

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[3]


class Peer:
    """The peer process on a folder, restartable on its state file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "services.declaration.customs.core.peer", "--root", str(self.root),
             "--state", str(self.root.parent / "peer-state.json")],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == b"peer ready"

    def kill9(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture(scope="module")
def peer(service_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peer]:
    # One peer and folder per database run: receipts of one app must not reach the other.
    root = tmp_path_factory.mktemp("exchange") / "customs"
    root.mkdir()
    process = Peer(root)
    process.start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def exchange_overrides(peer: Peer) -> dict[str, Any]:
    return {
        "customs_transport": "directory",
        "customs_directory_root": peer.root,
        "customs_directory_settle_seconds": 0.5,
    }


async def test_an_import_and_an_export_go_through_the_folders_and_the_peer(
    flow: Flow, peer: Peer, tag: str
) -> None:
    imported = await flow.file_import(f"I{tag}", "1210")
    exported = await flow.file_export(f"E{tag}", "9610")
    await flow.wait(imported["ids"]["inventory"], "closed")
    inventory = exported["messages"]["inventory"]
    await flow.wait(exported["ids"]["inventory"], "examination_concluded")
    peer.kill9()  # the peer crashes; its state file survives
    await flow.file(arrival(inventory, f"A{tag}"), CARRIER_PARTY)
    peer.start()
    await flow.file(departure(inventory, f"D{tag}"), CARRIER_PARTY)
    await flow.wait(exported["ids"]["inventory"], "closed")
    await _drained(peer.root / "inbox")
    assert list((peer.root / "processed").iterdir())
    history = await flow.history(imported["ids"]["inventory"])
    receipts = [r for r in history["receipts"] if r["track"] == "document"]
    assert len(receipts) == len({(r["returnStatus"], r["returnTime"]) for r in receipts})  # none twice


def _waiting(inbox: Path) -> list[str]:
    return sorted(p.name for p in inbox.iterdir() if not p.name.startswith("."))


async def _drained(inbox: Path) -> None:
    for _ in range(200):
        if not await asyncio.to_thread(_waiting, inbox):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"receipts left in the inbox: {_waiting(inbox)}")


async def test_an_unreadable_inbox_file_is_moved_aside_with_its_reason(
    flow: Flow, peer: Peer, tag: str
) -> None:
    (peer.root / "inbox" / f"junk-{tag}.xml").write_bytes(b"<not-customs/>")
    filed = await flow.file_import(f"J{tag}", "9610")
    await flow.wait(filed["ids"]["inventory"], "closed")
    for _ in range(100):
        if (peer.root / "failed" / f"junk-{tag}.xml.reason").exists():
            break
        await asyncio.sleep(0.05)
    reason = (peer.root / "failed" / f"junk-{tag}.xml.reason").read_text("utf-8")
    assert "not-customs" in reason or "neither" in reason
