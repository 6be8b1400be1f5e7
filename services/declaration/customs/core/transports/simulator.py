"""The simulator as a transport: the platform's default, embedded mode.

Wraps a :class:`~..simulator.CustomsSimulator` with a clock.  ``send`` feeds
the engine at the clock's now; ``receive`` returns the engine's due receipts;
``ack`` removes them from the engine.  ``on_change`` is called with the
engine's JSON-able state after every change so the service can persist it
(ideally in the same transaction that marks the outbox row sent or the
receipt applied) and rebuild the engine with ``CustomsSimulator.from_state``.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.customs.core.simulator.engine import CustomsSimulator
from services.declaration.customs.core.transports.base import (
    InboundReceipt,
    MessageIdReuseError,
    OutboundMessage,
)


def beijing_now() -> datetime:
    """The default clock."""
    return datetime.now(CUSTOMS_TZ)


class SimulatorTransport:
    """:class:`~.base.CustomsTransport` over the in-process simulator."""

    def __init__(
        self,
        engine: CustomsSimulator,
        clock: Callable[[], datetime] = beijing_now,
        on_change: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.on_change = on_change
        self._lock = asyncio.Lock()
        self._in_flight: set[str] = set()
        self._sent: dict[str, str] = {}

    async def send(self, message: OutboundMessage) -> None:
        """Feed the engine; an identical re-send reaches it again (it answers as a duplicate)."""
        async with self._lock:
            previous = self._sent.get(message.message_id)
            if previous is not None and previous != message.sha256:
                raise MessageIdReuseError(f"message id {message.message_id} was sent with other content")
            self._sent[message.message_id] = message.sha256
            self.engine.receive(message.payload, self.clock())
            self._changed()

    async def receive(self, limit: int = 100) -> list[InboundReceipt]:
        """Due receipts not handed out yet (only those are rendered: the engine skips the rest)."""
        async with self._lock:
            out = []
            for receipt in self.engine.due_receipts(self.clock(), limit, exclude=self._in_flight):
                # A batched receipt's id lists its members (see CustomsSimulator.due_receipts).
                self._in_flight.update(receipt.id.split(","))
                out.append(
                    InboundReceipt(
                        receipt.id,
                        receipt.payload,
                        receipt.business_xml,
                        receipt.message_type,
                        hashlib.sha256(receipt.payload).hexdigest(),
                    )
                )
            return out

    async def ack(self, receipt_id: str) -> None:
        """Drop the receipt from the engine (persisted through ``on_change``)."""
        async with self._lock:
            self.engine.acknowledge(receipt_id)
            self._in_flight.difference_update(receipt_id.split(","))
            self._changed()

    async def release(self, receipt_id: str) -> None:
        """Hand the receipt out again later."""
        async with self._lock:
            self._in_flight.difference_update(receipt_id.split(","))

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self.engine.to_state())
