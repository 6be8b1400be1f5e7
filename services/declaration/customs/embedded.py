"""The customs simulator inside the platform, its state kept in this service's database.

The simulator engine (:mod:`.core.simulator`) is deterministic: its state is a
function of the messages it received (with the time each arrived) and the receipts
acknowledged. Both are already durable here — every message it received is a
``customs_outbox`` row marked sent (exact bytes, ``sent_at`` = the engine's clock at
hand-over, ``send_seq`` = the order), and every receipt it delivered that the platform
applied is a ``customs_receipts`` row (``transport_id`` = the engine's receipt id) —
so the state is never written after each change (that would be quadratic in the
state's size), it is **rebuilt**: the latest snapshot, then the sends after it in
``send_seq`` order, then the acknowledgements after it.

Why this is exactly the state that was lost on a crash:

* a send is marked in the transaction that commits after the engine took it; a crash in
  between loses both — the row is still pending, and is sent again (the same bytes);
* a receipt's row is committed before the engine is told to drop it; a crash in between
  is repaired by the replay, which acknowledges every stored receipt;
* acknowledgements commute with later sends (an acknowledged receipt was due before any
  later send, and the engine only withdraws receipts due after a send), so replaying all
  sends, then all acknowledgements, reaches the same state.

Snapshots (sealed: the state holds declarations with personal data) are taken every
``customs_simulator_snapshot_every`` received documents, only between passes of the
exchange loop (when everything the engine did is committed), and record the simulator
settings they were made with: after a change of settings the replay still uses the old
ones, then a new snapshot starts the new settings.
"""

from __future__ import annotations

import asyncio
import json
import logging
import zlib
from dataclasses import asdict, fields
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.customs.core.simulator import CustomsSimulator, Delays, SimulatorConfig
from services.declaration.customs.repository import OutboxRepository, ReceiptRepository, SnapshotRepository
from services.declaration.personal_data.vault import Sealed, Vault
from services.declaration.quota.rules import QuotaLimits
from services.declaration.settings import DeclarationSettings
from shared.db import Database
from shared.sqltypes import utcnow

log = logging.getLogger("ddt.declaration.customs")

SIMULATOR = "simulator"
_REPLAY_BATCH = 200


def simulator_config(settings: DeclarationSettings, limits: QuotaLimits) -> SimulatorConfig:
    """The simulator settings: rates, seed and delays (scaled) from the service settings, and the
    platform's configured retail limits (customs and the pre-check apply the same ones)."""
    scale = settings.customs_simulator_delay_scale
    base = Delays()
    delays = Delays(**{f.name: getattr(base, f.name) * scale for f in fields(Delays)})
    return SimulatorConfig(
        seed=settings.customs_simulator_seed,
        review_rate=settings.customs_simulator_review_rate,
        inspection_rate=settings.customs_simulator_inspection_rate,
        detention_rate=settings.customs_simulator_detention_rate,
        detention_return_rate=settings.customs_simulator_detention_return_rate,
        rejection_rate=settings.customs_simulator_rejection_rate,
        delays=delays,
        import_sender_id=settings.customs_dxp_receiver_import,
        export_sender_id=settings.customs_dxp_receiver_export,
        return_window_days=settings.customs_return_window_days,
        receipts_per_message=settings.customs_simulator_receipts_per_message,
        limits=limits,
    )


def config_to_json(config: SimulatorConfig) -> dict[str, Any]:
    """A JSON form of the settings (delays in seconds, amounts as decimal strings)."""
    data = asdict(config)
    data["delays"] = {name: value.total_seconds() for name, value in asdict(config.delays).items()}
    data["limits"] = {
        name: str(value) if isinstance(value, Decimal) else value
        for name, value in asdict(config.limits).items()
    }
    return data


def config_from_json(data: dict[str, Any]) -> SimulatorConfig:
    """Inverse of :func:`config_to_json` (unknown keys ignored, missing ones default)."""
    known = {f.name for f in fields(SimulatorConfig)}
    values = {k: v for k, v in data.items() if k in known and k not in ("delays", "limits")}
    delays = Delays(**{k: timedelta(seconds=v) for k, v in (data.get("delays") or {}).items()})
    stored: dict[str, Any] = {
        k: Decimal(v) if isinstance(v, str) else v
        for k, v in (data.get("limits") or {}).items()
        if k in {f.name for f in fields(QuotaLimits)}
    }
    limits = QuotaLimits(**stored)
    return SimulatorConfig(**values, delays=delays, limits=limits)


class EmbeddedSimulator:
    """Loads, replays and snapshots the simulator engine of this service."""

    def __init__(self, db: Database, vault: Vault, config: SimulatorConfig, snapshot_every: int) -> None:
        self.db = db
        self.vault = vault
        self.config = config
        self.snapshot_every = snapshot_every
        self.engine = CustomsSimulator(config)
        self._documents_since_snapshot = 0
        self._snapshot_config: dict[str, Any] = config_to_json(config)

    async def load(self) -> CustomsSimulator:
        """Rebuild the engine: latest snapshot, then the sends and acknowledgements after it."""
        async with self.db.transaction() as session:
            snapshot = await SnapshotRepository.from_session(session).latest()
        if snapshot is None:
            send_seq, receipt_id, config_json, state = 0, 0, config_to_json(self.config), None
        else:
            send_seq, receipt_id, config_json = snapshot.send_seq, snapshot.receipt_id, snapshot.config
            raw = self.vault.open(
                Sealed(snapshot.state_key_id, snapshot.state_cipher), f"simulator:{snapshot.id}"
            )
            state = json.loads(zlib.decompress(raw))
        replay_config = config_from_json(config_json)
        engine = (
            CustomsSimulator.from_state(state, replay_config) if state else CustomsSimulator(replay_config)
        )
        replayed = await self._replay_sends(engine, send_seq)
        acknowledged = await self._replay_acks(engine, receipt_id)
        changed_settings = config_to_json(self.config) != config_json
        if changed_settings:
            engine.config = self.config
        self.engine = engine
        self._snapshot_config = config_to_json(self.config)
        if snapshot is None or changed_settings:
            await self.snapshot()
        log.info(
            "customs simulator state rebuilt",
            extra={
                "from_snapshot": snapshot.id if snapshot else None,
                "sends": replayed,
                "acks": acknowledged,
            },
        )
        return engine

    async def _replay_sends(self, engine: CustomsSimulator, after: int) -> int:
        count, last = 0, after
        while True:
            async with self.db.transaction() as session:
                rows = await OutboxRepository.from_session(session).sends_after(last, _REPLAY_BATCH)
            for row in rows:
                payload = self.vault.open(Sealed(row.payload_key_id, row.payload_cipher), row.message_id)
                engine.receive(payload, _engine_time(row.sent_at))
                last = row.send_seq
            count += len(rows)
            if len(rows) < _REPLAY_BATCH:
                return count

    async def _replay_acks(self, engine: CustomsSimulator, after: int) -> int:
        async with self.db.transaction() as session:
            ids = await ReceiptRepository.from_session(session).transport_ids_after(after, SIMULATOR)
        for transport_id in ids:
            for receipt_id in transport_id.split(","):
                engine.acknowledge(receipt_id)
        return len(ids)

    def received(self, documents: int) -> None:
        """Count documents handed to the engine (for the snapshot interval)."""
        self._documents_since_snapshot += documents

    @property
    def snapshot_due(self) -> bool:
        """True when enough documents arrived since the last snapshot."""
        return self._documents_since_snapshot >= self.snapshot_every

    async def snapshot(self) -> None:
        """Store the engine's state at the current watermarks (call only between loop passes)."""
        # Serialised in a thread: the state is large and only this task (the exchange loop,
        # which is awaiting here) changes the engine, so the loop keeps serving requests.
        state = await asyncio.to_thread(_compressed, self.engine.to_state())
        async with self.db.transaction() as session:
            snapshots = SnapshotRepository.from_session(session)
            send_seq, receipt_id = await snapshots.watermarks()
            row_id = await snapshots.reserve(send_seq, receipt_id, self._snapshot_config, utcnow())
            sealed = self.vault.seal(state, f"simulator:{row_id}")
            await snapshots.fill(row_id, sealed.key_id, sealed.blob)
            # Older snapshots are no longer needed: the replay starts from the newest.
            await snapshots.drop_before(row_id)
        self._documents_since_snapshot = 0


def _compressed(state: dict[str, Any]) -> bytes:
    return zlib.compress(json.dumps(state, ensure_ascii=False).encode("utf-8"), 1)


def _engine_time(moment: datetime | None) -> datetime:
    assert moment is not None
    return moment.astimezone(CUSTOMS_TZ)
