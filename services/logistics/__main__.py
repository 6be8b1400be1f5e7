"""``python -m services.logistics <command>`` — serve, migrate, dead letters, outbox (see shared.cli)."""

from __future__ import annotations

import sys

from services.logistics.app import definition
from services.logistics.settings import LogisticsSettings
from shared.cli import run_cli

if __name__ == "__main__":
    sys.exit(run_cli(definition, LogisticsSettings, "services.logistics.app:create_app"))
