"""The customs transport interface shared by the simulator and the directory transport.

Delivery contract (both implementations):

* ``send`` hands one outgoing message over; re-sending the *identical*
  message under the same id is a no-op or a harmless duplicate, a different
  payload under a used id raises :class:`MessageIdReuseError`;
* ``receive`` returns receipts not yet acknowledged and not already handed
  out by this transport object; ``ack(id)`` records durably that the caller
  applied the receipt; ``release(id)`` gives a receipt back after a failed
  apply.  After a restart everything unacknowledged is delivered again, so
  the caller must apply idempotently — the lifecycle's duplicate detection
  and :attr:`InboundReceipt.sha256` exist for that.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


class MessageIdReuseError(RuntimeError):
    """A message id was used again for different content."""


@dataclass(frozen=True)
class OutboundMessage:
    """An outgoing message: its id (the envelope's CopMsgId), type, and final bytes."""

    message_id: str
    message_type: str
    payload: bytes

    @property
    def sha256(self) -> str:
        """Hash of the payload."""
        return hashlib.sha256(self.payload).hexdigest()


@dataclass(frozen=True)
class InboundReceipt:
    """A receipt as delivered: transport id, the raw payload and the unwrapped business XML."""

    id: str
    payload: bytes
    business_xml: bytes
    message_type: str | None
    sha256: str


@runtime_checkable
class CustomsTransport(Protocol):
    """How declarations reach customs and receipts come back."""

    async def send(self, message: OutboundMessage) -> None:
        """Hand one message to customs."""
        ...

    async def receive(self, limit: int = 100) -> list[InboundReceipt]:
        """Receipts waiting to be applied (at least once)."""
        ...

    async def ack(self, receipt_id: str) -> None:
        """The receipt was applied; never deliver it again."""
        ...

    async def release(self, receipt_id: str) -> None:
        """Applying failed; deliver the receipt again on a later ``receive``."""
        ...
