"""kill -9 of the declaration service at points of an import and an export flow, then restarts.

A real service process (``python -m services.declaration serve``) on PostgreSQL with the
embedded simulator. The test setting ``customs_crash_at`` makes the process SIGKILL itself
the moment it reaches a named step (customs/crashpoints.py), so every kill lands where
intended:

1. documents filed with the exchange off (nothing can crash mid-filing);
2. ``staged`` — messages committed to the customs outbox, nothing handed over;
3. ``sent`` — the simulator took them, the outbox rows are not marked: the engine's memory
   dies with the process, the rows are still pending and go again, identical;
4. ``applying`` — receipts parsed and applied inside the transaction, not committed;
5. ``applied`` — receipts committed, not acknowledged: the rebuilt engine must know they
   were applied (they are in ``customs_receipts``) and not deliver them again;
6. the export's arrival report filed, then ``staged`` again; 7. ``applying`` for its receipts;
8. a clean run: the departure report, and both flows end.

Then: every document reached its end, no receipt was applied twice (no document has
two history entries or two events for one status), none was lost (no receipt left
pending in the simulator rebuilt from the database, none unresolved), and each document
went to customs in exactly one outbox message — one set of bytes, whatever was re-sent.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from deploy.embedded import wait_for_port
from services.declaration.context import DeclarationContext
from services.declaration.customs.embedded import EmbeddedSimulator, simulator_config
from services.declaration.customs.models import CustomsOutboundMessage, CustomsReceipt, CustomsReceiptEntry
from services.declaration.settings import DeclarationSettings
from shared.db import Database
from shared.messaging.tables import outbox
from tests.declaration.flows.flowkit import PATHS, arrival, departure
from tests.declaration.service.conftest import Api, message_json, register_party
from tests.declaration.service.factory import (
    AGENT_PARTY,
    CARRIER_PARTY,
    EBC,
    EXPORT_FILERS,
    IMPORT_FILERS,
    export_set,
    import_set,
)
from tests.support.infra import Broker, create_pg_database, drop_pg_database, free_port
from tests.support.services import ServiceProcess

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


class Lives:
    """One service process after another on the same database and var directory."""

    def __init__(self, database_url: str, broker: Broker, work: Path) -> None:
        self.database_url = database_url
        self.broker = broker
        self.work = work
        self.port = free_port()
        self.process: ServiceProcess | None = None
        self.count = 0

    def env(self, **settings: str) -> dict[str, str]:
        base = {
            "DDT_ENVIRONMENT": "test",
            "DDT_VAR_DIR": str(self.work),
            "DDT_LOG_JSON": "true",
            "DDT_KAFKA_BOOTSTRAP_SERVERS": self.broker.bootstrap,
            "DDT_KAFKA_SESSION_TIMEOUT_MS": "3000",
            "DDT_KAFKA_HEARTBEAT_INTERVAL_MS": "500",
            "DDT_DECLARATION_DATABASE_URL": self.database_url,
            "DDT_DECLARATION_OWNERSHIP_PROFILE": "by_sender",
            "DDT_DECLARATION_OUTBOX_POLL_SECONDS": "0.05",
            "DDT_DECLARATION_CUSTOMS_POLL_SECONDS": "0.05",
            "DDT_DECLARATION_CUSTOMS_SIMULATOR_DELAY_SCALE": "0",
            "DDT_DECLARATION_CUSTOMS_SIMULATOR_REVIEW_RATE": "0",
            "DDT_DECLARATION_CUSTOMS_SIMULATOR_INSPECTION_RATE": "0",
            "DDT_DECLARATION_CUSTOMS_SIMULATOR_REJECTION_RATE": "0",
        }
        return {**base, **{f"DDT_DECLARATION_{k.upper()}": v for k, v in settings.items()}}

    def start(self, **settings: str) -> ServiceProcess:
        """Start a life; one with a crash point may die before anyone connects, which is fine."""
        self.count += 1
        process = ServiceProcess(
            "declaration", self.port, self.env(**settings), self.work / f"life-{self.count}.log"
        )
        if "customs_crash_at" not in settings:
            self.process = process.start()
            return process
        # Not ServiceProcess.start(): it waits for the port, and the process may reach its
        # crash point within milliseconds of listening.
        log = (self.work / f"life-{self.count}.log").open("ab")
        process.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "services.declaration", "serve", "--port", str(self.port)],
            cwd=process.env["PYTHONPATH"], env=process.env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.process = process
        return process

    async def listening(self, timeout: float = 60.0) -> None:
        """Wait until the current life accepts connections (it must not die first)."""
        assert self.process is not None and self.process.process is not None
        deadline = time.monotonic() + timeout
        while not await asyncio.to_thread(wait_for_port, self.port, 0.2):
            assert self.process.process.poll() is None, f"life {self.count} died before listening"
            assert time.monotonic() < deadline, f"life {self.count} did not start"

    async def killed(self, timeout: float = 60.0) -> None:
        """Wait for the process to SIGKILL itself at its crash point."""
        assert self.process is not None and self.process.process is not None
        deadline = time.monotonic() + timeout
        while self.process.process.poll() is None:
            assert time.monotonic() < deadline, f"life {self.count} did not reach its crash point"
            await asyncio.sleep(0.05)
        assert self.process.process.returncode == -9, self.process.process.returncode

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()


@pytest.fixture
async def lives(broker: Broker, tmp_path: Path) -> AsyncIterator[Lives]:
    url = await create_pg_database("ddt_crash")
    instance = Lives(url, broker, tmp_path)
    try:
        yield instance
    finally:
        instance.stop()
        await drop_pg_database(url)


async def _file(api: Api, message: Any, identity: Any) -> str:
    response = await api.post_json(message_json(message), identity, PATHS[message.message_type])
    assert response.status_code == 200, response.text
    record = response.json()["records"][0]
    assert record["accepted"], record
    return str(record["documentId"])


async def _wait_status(api: Api, document_id: str, identity: Any, wanted: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        response = await api.get(f"/v1/customs/documents/{document_id}", identity)
        status = response.json()["status"]
        if status == wanted:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{document_id} is {status}, not {wanted}")


async def test_kill_9_at_each_step_loses_nothing_and_does_nothing_twice(lives: Lives, tag: str) -> None:
    db = Database(lives.database_url)
    imported, exported = import_set(f"K{tag}", "1210"), export_set(f"K{tag}", "9610")
    try:
        # Life 1: file everything with the exchange off.
        process = lives.start(customs_exchange_enabled="false")
        async with httpx.AsyncClient(base_url=process.url, timeout=30) as client:
            api = Api(client, db, None)  # type: ignore[arg-type]
            await register_party(lives.broker, db, "merchant-1", EBC)
            ids = {f"import:{k}": await _file(api, m, IMPORT_FILERS[k]) for k, m in imported.items()}
            ids |= {f"export:{k}": await _file(api, m, EXPORT_FILERS[k]) for k, m in exported.items()}
        lives.stop()

        for step in ("staged", "sent", "applying", "applied"):
            lives.start(customs_crash_at=step)
            await lives.killed()

        # The export waits for its arrival report: filed, then killed at staging, then mid-apply.
        process = lives.start(customs_crash_at="staged")
        await lives.listening()  # nothing is ready to stage yet: this life waits for the filing
        async with httpx.AsyncClient(base_url=process.url, timeout=30) as client:
            api = Api(client, db, None)  # type: ignore[arg-type]
            await _wait_status(api, ids["import:inventory"], AGENT_PARTY, "closed")
            await _wait_status(api, ids["export:inventory"], AGENT_PARTY, "examination_concluded")
            ids["arrival"] = await _file(api, arrival(exported["inventory"], f"A{tag}"), CARRIER_PARTY)
        await lives.killed()
        lives.start(customs_crash_at="applying")
        await lives.killed()

        process = lives.start()
        async with httpx.AsyncClient(base_url=process.url, timeout=30) as client:
            api = Api(client, db, None)  # type: ignore[arg-type]
            await _wait_status(api, ids["export:inventory"], AGENT_PARTY, "released")
            ids["departure"] = await _file(api, departure(exported["inventory"], f"D{tag}"), CARRIER_PARTY)
            await _wait_status(api, ids["export:inventory"], AGENT_PARTY, "closed")
            for key, identity, wanted in (
                ("import:order", IMPORT_FILERS["order"], "examination_concluded"),
                ("import:payment", IMPORT_FILERS["payment"], "examination_concluded"),
                ("import:waybill", IMPORT_FILERS["waybill"], "examination_concluded"),
                ("export:order", EXPORT_FILERS["order"], "examination_concluded"),
                ("export:waybill", EXPORT_FILERS["waybill"], "examination_concluded"),
                ("arrival", CARRIER_PARTY, "examination_concluded"),
                ("departure", CARRIER_PARTY, "examination_concluded"),
            ):
                await _wait_status(api, ids[key], identity, wanted)
        lives.stop()
        await _check_invariants(db, lives, ids)
    finally:
        await db.dispose()


async def _check_invariants(db: Database, lives: Lives, ids: dict[str, str]) -> None:
    documents = set(ids.values())
    async with db.transaction() as session:
        entries = (
            await session.scalars(
                select(CustomsReceiptEntry).where(
                    CustomsReceiptEntry.document_id.in_(documents), CustomsReceiptEntry.track == "document"
                )
            )
        ).all()
        receipts = (await session.scalars(select(CustomsReceipt))).all()
        messages = (await session.scalars(select(CustomsOutboundMessage))).all()
        events = (await session.execute(select(outbox.c.key, outbox.c.payload))).all()

    # None applied twice: per document, each customs status was applied once, and one event each.
    applied = Counter((e.document_id, e.return_status) for e in entries if e.outcome == "applied")
    assert applied and max(applied.values()) == 1, applied
    changes: dict[str, Counter[tuple[str, str | None]]] = defaultdict(Counter)
    for key, payload in events:
        data = json.loads(payload)["data"]
        if key in documents and "status" in data and data.get("customs_status"):
            changes[key][(data["status"], data["customs_status"])] += 1
    assert changes and all(max(c.values()) == 1 for c in changes.values()), changes

    # None lost: every receipt resolved and applied, nothing left pending in the simulator.
    assert {r.status for r in receipts} == {"applied"}
    settings = DeclarationSettings(
        database_url=lives.database_url,
        **{k.removeprefix("DDT_DECLARATION_").lower(): v for k, v in lives.env().items()
           if k.startswith("DDT_DECLARATION_CUSTOMS_SIMULATOR")},
    )  # fmt: skip
    ctx = DeclarationContext.from_settings(settings)
    embedded = EmbeddedSimulator(db, ctx.vault, simulator_config(settings, ctx.limits), 10_000)
    engine = await embedded.load()
    assert engine.pending_count == 0

    # Nothing sent twice with other content: one outbox message per document, and one
    # simulator document per customs key (identical re-sends are answered as duplicates).
    carried = Counter(doc for message in messages for doc in message.document_ids)
    assert set(carried) == documents and max(carried.values()) == 1, carried
    assert {m.status for m in messages} == {"sent"}
    keys = Counter(doc["key"] for doc in engine.to_state()["docs"].values())
    assert max(keys.values()) == 1, keys
    assert len(os.listdir(lives.work)) > 0  # the dev signer and the logs of every life are kept for a look
