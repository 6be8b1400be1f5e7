"""``python -m services.gateway <command>`` — serve, migrate, dead letters, outbox (see shared.cli)."""

from __future__ import annotations

import sys

from services.gateway.app import definition
from services.gateway.settings import GatewaySettings
from shared.cli import run_cli

if __name__ == "__main__":
    sys.exit(run_cli(definition, GatewaySettings, "services.gateway.app:create_app"))
