"""Customs transports: the interface, the embedded simulator, and the directory transport."""

from services.declaration.exchange.transports.base import (
    CustomsTransport,
    InboundReceipt,
    MessageIdReuseError,
    OutboundMessage,
)
from services.declaration.exchange.transports.directory import DirectoryTransport
from services.declaration.exchange.transports.simulator import SimulatorTransport

__all__ = [
    "CustomsTransport",
    "DirectoryTransport",
    "InboundReceipt",
    "MessageIdReuseError",
    "OutboundMessage",
    "SimulatorTransport",
]
