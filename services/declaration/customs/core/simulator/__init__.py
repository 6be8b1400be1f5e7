"""The customs simulator — the platform's default, embedded transport (see :mod:`.engine`)."""

from services.declaration.customs.core.simulator.config import Delays, SimulatorConfig
from services.declaration.customs.core.simulator.engine import CustomsSimulator, SimulatedReceipt

__all__ = ["CustomsSimulator", "Delays", "SimulatedReceipt", "SimulatorConfig"]
