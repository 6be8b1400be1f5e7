"""The customs transport the settings choose, and the clock the exchange runs on.

* ``simulator`` (embedded default) — :class:`~.core.transports.SimulatorTransport`
  over the engine :class:`.embedded.EmbeddedSimulator` rebuilt from the database; real
  time, the delays and rates of the ``customs_simulator_*`` settings;
* ``directory`` — :class:`~.core.transports.DirectoryTransport` on
  ``customs_directory_root`` (default ``<var>/customs-exchange``), the folders the e-port's
  data-exchange client reads and writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.customs.core.transports import (
    CustomsTransport,
    DirectoryTransport,
    SimulatorTransport,
)
from services.declaration.customs.embedded import SIMULATOR, EmbeddedSimulator, simulator_config
from services.declaration.personal_data.vault import Vault
from services.declaration.quota.rules import QuotaLimits
from services.declaration.settings import DeclarationSettings
from shared.db import Database

DIRECTORY = "directory"


class ExchangeClock:
    """Beijing wall-clock time, which the dispatcher can hold still while it hands over a batch.

    The simulator stamps each message with the clock at hand-over; holding it lets the
    dispatcher record exactly that time as ``sent_at``, which the state replay needs.
    """

    def __init__(self) -> None:
        self._held: datetime | None = None

    def __call__(self) -> datetime:
        return self._held or datetime.now(CUSTOMS_TZ)

    @contextmanager
    def held(self, at: datetime) -> Iterator[datetime]:
        """``at`` (in Beijing time) is "now" inside the block."""
        self._held = at.astimezone(CUSTOMS_TZ)
        try:
            yield self._held
        finally:
            self._held = None


@dataclass
class ExchangeTransport:
    """The transport, its name (stored with receipts) and, for the simulator, its state keeper."""

    name: str
    transport: CustomsTransport
    clock: ExchangeClock
    simulator: EmbeddedSimulator | None = None


def directory_root(settings: DeclarationSettings) -> Path:
    """Where the directory transport's folders are."""
    return Path(settings.customs_directory_root or settings.platform.var_dir / "customs-exchange")


async def open_transport(
    settings: DeclarationSettings, db: Database, vault: Vault, limits: QuotaLimits
) -> ExchangeTransport:
    """Build the configured transport (the simulator's state is rebuilt here)."""
    clock = ExchangeClock()
    if settings.customs_transport == DIRECTORY:
        transport = DirectoryTransport(directory_root(settings), settings.customs_directory_settle_seconds)
        return ExchangeTransport(DIRECTORY, transport, clock)
    embedded = EmbeddedSimulator(
        db, vault, simulator_config(settings, limits), settings.customs_simulator_snapshot_every
    )
    engine = await embedded.load()
    return ExchangeTransport(SIMULATOR, SimulatorTransport(engine, clock), clock, embedded)
