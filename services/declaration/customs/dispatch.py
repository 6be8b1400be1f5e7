"""The customs outbox → the transport: exactly the stored bytes, then marked sent.

A pass takes pending rows in creation order, hands each one's stored payload to the
transport under its message id, then marks the rows sent in one transaction with the
time the transport was given (the held clock) and their order (``send_seq``). A crash
between hand-over and mark leaves the rows pending: they are handed over again after
the restart — the same bytes under the same id, which customs (and the simulator)
treat as a duplicate. Nothing here can build or change a payload.

A transport that refuses a message id for *other* content
(:class:`~.core.transports.MessageIdReuseError`) would mean the outbox was
corrupted; the row is marked ``failed`` and never retried. Other errors (the transport
is away) stop the pass; the rows stay pending.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from services.declaration.customs.core.transports import MessageIdReuseError, OutboundMessage
from services.declaration.customs.crashpoints import CrashPoints
from services.declaration.customs.repository import OutboxRepository
from services.declaration.customs.transports import ExchangeTransport
from services.declaration.personal_data.vault import Sealed, Vault
from shared.db import Database

log = logging.getLogger("ddt.declaration.customs")


@dataclass
class DispatchResult:
    """What a pass handed over."""

    sent: int = 0
    documents: int = 0
    failed: int = 0


class Dispatcher:
    """Sends pending outbox rows through the transport."""

    def __init__(self, db: Database, vault: Vault, exchange: ExchangeTransport, crash: CrashPoints) -> None:
        self.db = db
        self.vault = vault
        self.exchange = exchange
        self.crash = crash
        self._next_seq: int | None = None

    async def pass_(self, limit: int) -> DispatchResult:
        """Hand over up to ``limit`` pending messages."""
        async with self.db.transaction() as session:
            outbox = OutboxRepository.from_session(session)
            if self._next_seq is None:
                self._next_seq = await outbox.highest_send_seq() + 1
            rows = await outbox.pending(limit)
        result = DispatchResult()
        if not rows:
            return result
        sent: list[tuple[int, int]] = []
        failed: list[tuple[int, str]] = []
        error: Exception | None = None
        clock = self.exchange.clock
        with clock.held(clock()) as now:
            for row in rows:
                payload = self.vault.open(Sealed(row.payload_key_id, row.payload_cipher), row.message_id)
                message = OutboundMessage(row.message_id, row.message_type, payload)
                if message.sha256 != row.payload_sha256:
                    failed.append((row.id, "stored payload does not match its hash"))
                    continue
                try:
                    await self.exchange.transport.send(message)
                except MessageIdReuseError as exc:
                    failed.append((row.id, str(exc)))
                    continue
                except Exception as exc:  # the transport is away: stop, keep the rest pending
                    error = exc
                    break
                sent.append((row.id, self._next_seq_value()))
                result.documents += len(row.document_ids)
        if sent:
            self.crash.reached("sent")
        async with self.db.transaction() as session:
            outbox = OutboxRepository.from_session(session)
            await outbox.mark_sent(sent, now)
            for row_id, reason in failed:
                log.error("customs outbox row failed", extra={"outbox_id": row_id, "reason": reason})
                await outbox.mark_failed(row_id, reason)
            if error is not None and len(sent) < len(rows):
                await outbox.note_attempt(rows[len(sent) + len(failed)].id, repr(error))
        if sent:
            self.crash.reached("marked")
        if self.exchange.simulator is not None:
            self.exchange.simulator.received(result.documents)
        result.sent, result.failed = len(sent), len(failed)
        if error is not None:
            raise error
        return result

    def _next_seq_value(self) -> int:
        assert self._next_seq is not None
        value = self._next_seq
        self._next_seq += 1
        return value

    def forget(self) -> None:
        """After a failed pass the sequence is read again from the database."""
        self._next_seq = None
