"""``python -m services.stats <command>`` — serve, migrate, dead letters, outbox (see shared.cli)."""

from __future__ import annotations

import sys

from services.stats.app import definition
from services.stats.settings import StatsSettings
from shared.cli import run_cli

if __name__ == "__main__":
    sys.exit(run_cli(definition, StatsSettings, "services.stats.app:create_app"))
