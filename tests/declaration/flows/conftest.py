"""Fixtures of the exchange flow tests: the real service with the customs exchange on.

One app per module and database (SQLite, then PostgreSQL), the embedded customs
simulator answering at once (delay scale 0, no random review, inspection or rejection —
a module turns those on through ``exchange_overrides``, a document through the
simulator's scenario notes), the development signer generated into a temporary var
directory. Documents are filed through the HTTP API by the parties of
tests/declaration/service/factory.py (each holding its own codes: ``by_sender``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from services.declaration.app import create_app
from shared.db import Database
from tests.declaration.flows.flowkit import Flow
from tests.declaration.service.conftest import (  # noqa: F401 — service_db_url and tag are fixtures
    Api,
    declaration_settings,
    register_party,
    service_db_url,
    tag,
)
from tests.declaration.service.factory import EBC
from tests.support.infra import Broker
from tests.support.services import running_app


@pytest.fixture(scope="module")
def exchange_overrides() -> dict[str, Any]:
    """Override in a module to change the exchange's settings."""
    return {}


def exchange_settings(var_dir: Path, **overrides: Any) -> dict[str, Any]:
    """Settings of an app running the exchange against an instant, deterministic simulator."""
    return {
        "ownership_profile": "by_sender",
        "customs_exchange_enabled": True,
        "customs_poll_seconds": 0.05,
        "customs_simulator_delay_scale": 0.0,
        "customs_simulator_review_rate": 0.0,
        "customs_simulator_inspection_rate": 0.0,
        "customs_simulator_rejection_rate": 0.0,
        "customs_reminder_check_seconds": 3600.0,
        "platform": {"var_dir": var_dir},
        **overrides,
    }


@pytest.fixture(scope="module")
async def flow(
    service_db_url: str,  # noqa: F811 — the imported fixture
    broker: Broker,
    exchange_overrides: dict[str, Any],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Flow]:
    """The declaration service of this module with the exchange running."""
    var_dir = tmp_path_factory.mktemp("var")
    settings = declaration_settings(
        service_db_url, broker, **exchange_settings(var_dir, **exchange_overrides)
    )
    app = create_app(settings)
    db = Database(service_db_url)
    async with running_app(app) as client:
        await register_party(broker, db, "merchant-1", EBC)
        yield Flow(Api(client, db, settings), app)
    await db.dispose()
