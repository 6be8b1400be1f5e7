"""The customs simulator — the platform's default, embedded transport (see :mod:`.engine`)."""

from services.declaration.customs.core.simulator.config import Delays, SimulatorConfig
from services.declaration.customs.core.simulator.engine import CustomsSimulator, SimulatedReceipt
from services.declaration.customs.core.simulator.refusals import REFUSAL_REASONS, RefusalReason

__all__ = [
    "REFUSAL_REASONS",
    "CustomsSimulator",
    "Delays",
    "RefusalReason",
    "SimulatedReceipt",
    "SimulatorConfig",
]
