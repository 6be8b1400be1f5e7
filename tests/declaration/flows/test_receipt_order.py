"""Receipts late, twice and out of order, through the directory transport.

The test plays the data-exchange client and customs itself: it takes the service's
messages from ``outbox/``, lets a simulator engine answer them, and drops the receipt
files into ``inbox/`` in an order of its choosing. A tax bill (CEB816) that arrives
before the receipt telling the platform its inventory's number waits and is applied
later; closure (899) arriving first is applied (flagged as an unexpected jump) and
everything older is stale; a receipt delivered twice changes nothing. The end state is
the one the orderly stream gives, with one status event per change.
"""

from __future__ import annotations

import asyncio
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.customs.core.simulator import CustomsSimulator, SimulatorConfig
from services.declaration.customs.core.transports.directory import write_atomically
from services.declaration.customs.models import CustomsReceipt
from tests.declaration.flows.flowkit import Flow, events_of
from tests.support.infra import wait_until


@pytest.fixture(scope="module")
def exchange_root(service_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("folders")


@pytest.fixture(scope="module")
def exchange_overrides(exchange_root: Path) -> dict[str, Any]:
    return {
        "customs_transport": "directory",
        "customs_directory_root": exchange_root,
        "customs_directory_settle_seconds": 0,
    }


async def _outbox(root: Path, count: int) -> list[bytes]:
    for _ in range(200):
        names = sorted(p.name for p in (root / "outbox").iterdir() if not p.name.startswith("."))
        if len(names) >= count:
            payloads = [(root / "outbox" / name).read_bytes() for name in names]
            for name in names:
                (root / "outbox" / name).unlink()
            return payloads
        await asyncio.sleep(0.05)
    raise AssertionError("the service did not write its messages")


def _deliver(root: Path, files: list[tuple[str, bytes]]) -> None:
    # In this order: the transport reads the inbox by modification time, then name.
    base = datetime.now().timestamp()
    for position, (name, payload) in enumerate(files):
        path = write_atomically(root / "inbox", name, payload, root / "tmp")
        os.utime(path, (base + position, base + position))


async def test_late_duplicated_and_reversed_receipts_end_in_the_orderly_state(
    flow: Flow, exchange_root: Path, tag: str
) -> None:
    filed = await flow.file_import(tag, "1210")
    inventory = filed["ids"]["inventory"]
    engine = CustomsSimulator(SimulatorConfig.instant())
    now = datetime.now(CUSTOMS_TZ)
    for payload in await _outbox(exchange_root, 4):
        engine.receive(payload, now)
    receipts = engine.due_receipts(now + timedelta(days=1))
    tax = [r for r in receipts if r.message_type == "CEB816"]
    inventory_receipts = [r for r in receipts if r.message_type == "CEB622"]
    others = [r for r in receipts if r.message_type not in ("CEB816", "CEB622")]
    assert [r.message_type for r in tax] == ["CEB816"] and len(inventory_receipts) == 6
    ordered = [*tax, *reversed(inventory_receipts), inventory_receipts[2], *others]
    files = [(f"{n:03d}_{r.id}_{r.message_type}.xml", r.payload) for n, r in enumerate(ordered)]
    files.append((f"again_{inventory_receipts[-1].id}.xml", inventory_receipts[-1].payload))  # a re-delivery
    _deliver(exchange_root, files)

    view = await flow.wait(inventory, "closed")
    await flow.settle()

    async def inbox_taken() -> bool:  # 899 may come from the first file; the others follow
        return not any(p.suffix == ".xml" for p in (exchange_root / "inbox").iterdir())

    await wait_until(inbox_taken, timeout=30, message="every receipt file taken from the inbox")
    for _ in range(100):
        view = await flow.document(inventory)
        if view["customs"].get("taxBills"):
            break
        await asyncio.sleep(0.05)
    assert (
        view["customs"]["taxBills"][0]["invtNo"] == view["customs"]["invtNo"]
    )  # applied once its number was known
    assert view["customs"]["legal"] is False  # sent → 899 in one jump: applied, flagged for a person
    history = await flow.history(inventory)
    outcomes = [(r["returnStatus"], r["outcome"]) for r in history["receipts"] if r["track"] == "document"]
    assert outcomes[0] == ("899", "applied")
    assert {outcome for _, outcome in outcomes[1:]} <= {"stale", "duplicate"}
    assert [change["to"] for change in history["history"]] == ["matched", "sent", "closed"]
    events = await events_of(flow, inventory, "ddt.declaration.document.status_changed")
    assert [e["data"]["status"] for e in events if e["data"].get("customs_status")] == ["closed"]
    # Every file was taken and acknowledged; the two re-deliveries (same bytes, other names)
    # were recognised by their hash: each receipt is stored and applied once.
    assert len(list((exchange_root / "processed").iterdir())) == len(files)
    async with flow.api.db.transaction() as session:
        stored = await session.scalar(select(func.count()).select_from(CustomsReceipt))
    assert stored == len(files) - 2
