"""Customs transports: the interface, the embedded simulator, and the directory transport."""

from services.declaration.customs.core.transports.base import (
    CustomsTransport,
    InboundReceipt,
    MessageIdReuseError,
    OutboundMessage,
)
from services.declaration.customs.core.transports.directory import DirectoryTransport
from services.declaration.customs.core.transports.simulator import SimulatorTransport

__all__ = [
    "CustomsTransport",
    "DirectoryTransport",
    "InboundReceipt",
    "MessageIdReuseError",
    "OutboundMessage",
    "SimulatorTransport",
]
