"""The customs simulator — the platform's default, embedded transport (see :mod:`.engine`)."""

from services.declaration.exchange.simulator.config import Delays, SimulatorConfig
from services.declaration.exchange.simulator.engine import CustomsSimulator, SimulatedReceipt

__all__ = ["CustomsSimulator", "Delays", "SimulatedReceipt", "SimulatorConfig"]
