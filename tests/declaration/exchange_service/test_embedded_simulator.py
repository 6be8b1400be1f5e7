"""The embedded simulator's state is rebuilt from the database exactly: snapshot, sends, acknowledgements.

The service never writes the simulator's state after each change; it replays what is
durable anyway — the messages the engine received (the customs outbox rows marked sent,
with the hand-over time and order) and the receipts the platform applied (stored with the
engine's receipt ids). Rebuilt from a snapshot taken half-way, the engine must equal the
one that ran, whatever was acknowledged in between; a change of simulator settings does
not change the past.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert

from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.ceb.xml_codec import encode_xml
from services.declaration.customs.core.signing import SoftwareXmlSigner, generate_rsa_test_identity
from services.declaration.customs.core.simulator import CustomsSimulator, SimulatorConfig
from services.declaration.customs.embedded import EmbeddedSimulator
from services.declaration.customs.models import CustomsOutboundMessage, CustomsReceipt
from services.declaration.personal_data.vault import Vault
from services.declaration.settings import DEV_PII_HASH_KEY, DEV_PII_KEYS
from shared.db import Database
from shared.migrations import upgrade_to_head
from tests.declaration.service.factory import import_set

T0 = datetime(2026, 11, 20, 10, tzinfo=CUSTOMS_TZ)
VAULT = Vault.from_text(DEV_PII_KEYS, "dev", DEV_PII_HASH_KEY)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await upgrade_to_head(database, "declaration")
    yield database
    await database.dispose()


def _payloads() -> list[bytes]:
    signer = SoftwareXmlSigner(generate_rsa_test_identity())
    payloads = []
    for n in range(2):
        documents = import_set(f"EMB{n}", "1210", buyer_id=f"32070319900101{n:04d}")
        for kind in ("order", "payment", "waybill", "inventory"):
            message = copy.deepcopy(documents[kind])
            if kind == "inventory":
                message.signature = None
                payloads.append(signer.sign_now(encode_xml(message)))
            else:
                payloads.append(encode_xml(message))
    return payloads


class Platform:
    """Does what the dispatcher and the receipt applier do to the engine and the database."""

    def __init__(self, db: Database, engine: CustomsSimulator) -> None:
        self.db, self.engine, self.seq = db, engine, 0

    async def send(self, payload: bytes, at: datetime) -> None:
        self.seq += 1
        message_id = f"M{self.seq:04d}"
        self.engine.receive(payload, at)
        sealed = VAULT.seal(payload, message_id)
        async with self.db.transaction() as session:
            await session.execute(
                insert(CustomsOutboundMessage).values(
                    message_id=message_id, message_type="CEB000", direction="import", party_id="p",
                    document_ids=[], envelope="bare", signed_by="none", payload_key_id=sealed.key_id,
                    payload_cipher=sealed.blob, payload_sha256=hashlib.sha256(payload).hexdigest(),
                    payload_size=len(payload), business_sha256="", status="sent", created_at=at,
                    sent_at=at, send_seq=self.seq, attempts=1,
                )
            )  # fmt: skip

    async def apply_due(self, at: datetime, limit: int) -> int:
        receipts = self.engine.due_receipts(at, limit)
        async with self.db.transaction() as session:
            for receipt in receipts:
                sealed = VAULT.seal(receipt.payload, "x")
                await session.execute(
                    insert(CustomsReceipt).values(
                        sha256=hashlib.sha256(receipt.payload).hexdigest(), transport="simulator",
                        transport_id=receipt.id, message_type=receipt.message_type, envelope="DXP",
                        record_count=1, payload_key_id=sealed.key_id, payload_cipher=sealed.blob,
                        payload_size=len(receipt.payload), status="applied", received_at=at,
                    )
                )  # fmt: skip
        for receipt in receipts:
            self.engine.acknowledge(receipt.id)
        return len(receipts)


def _state(engine: CustomsSimulator) -> str:
    return json.dumps(engine.to_state(), sort_keys=True)


async def test_the_rebuilt_engine_equals_the_one_that_ran(db: Database, tmp_path: Path) -> None:
    config = SimulatorConfig.instant(receipts_per_message=10)
    embedded = EmbeddedSimulator(db, VAULT, config, snapshot_every=10_000)
    engine = await embedded.load()  # empty: the first snapshot
    platform = Platform(db, engine)
    payloads = _payloads()
    for minute, payload in enumerate(payloads[:5]):
        await platform.send(payload, T0 + timedelta(minutes=minute))
    assert await platform.apply_due(T0 + timedelta(minutes=5), limit=2) == 2
    await embedded.snapshot()  # half-way, between passes
    for minute, payload in enumerate(payloads[5:], start=5):
        await platform.send(payload, T0 + timedelta(minutes=minute))
        await platform.apply_due(T0 + timedelta(minutes=minute), limit=1)
    await platform.send(payloads[2], T0 + timedelta(minutes=20))  # an identical re-send
    assert engine.pending_count > 0

    rebuilt = await EmbeddedSimulator(db, VAULT, config, snapshot_every=10_000).load()
    assert _state(rebuilt) == _state(engine)
    assert [r.id for r in rebuilt.due_receipts(T0 + timedelta(days=1))] == [
        r.id for r in engine.due_receipts(T0 + timedelta(days=1))
    ]

    # Other settings now: the past is replayed with the settings it happened under.
    changed = replace(config, review_rate=1.0, rejection_rate=1.0)
    again = await EmbeddedSimulator(db, VAULT, changed, snapshot_every=10_000).load()
    assert _state(again) == _state(engine)
    assert again.config == changed
