"""``python -m services.payments <command>`` — serve, migrate, dead letters, outbox (see shared.cli)."""

from __future__ import annotations

import sys

from services.payments.app import definition
from services.payments.settings import PaymentsSettings
from shared.cli import run_cli

if __name__ == "__main__":
    sys.exit(run_cli(definition, PaymentsSettings, "services.payments.app:create_app"))
