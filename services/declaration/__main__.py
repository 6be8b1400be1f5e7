"""``python -m services.declaration <command>`` — serve, migrate, dead letters, outbox (see shared.cli)."""

from __future__ import annotations

import sys

from services.declaration.app import definition
from services.declaration.settings import DeclarationSettings
from shared.cli import run_cli

if __name__ == "__main__":
    sys.exit(run_cli(definition, DeclarationSettings, "services.declaration.app:create_app"))
