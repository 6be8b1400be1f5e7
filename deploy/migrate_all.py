"""Production start-up step: create the topics and apply every service's migrations.

``python -m deploy.migrate_all`` — run once per deployment, before the services
start (docker-compose runs it as the one-shot ``migrate`` service). Each service's
database URL comes from its own setting (``DDT_<SERVICE>_DATABASE_URL``).
"""

from __future__ import annotations

import asyncio
import importlib
import sys

from shared.db import Database
from shared.messaging.kafka import ensure_topics
from shared.messaging.topics import SERVICES, all_topics
from shared.migrations import upgrade_to_head
from shared.settings import PlatformSettings, ServiceSettings


def settings_of(service: str) -> ServiceSettings:
    """The settings object of ``service`` read from the environment."""
    module = importlib.import_module(f"services.{service}.settings")
    cls = next(
        v
        for v in vars(module).values()
        if isinstance(v, type) and issubclass(v, ServiceSettings) and v is not ServiceSettings
    )
    return cls()


async def main() -> int:
    """Topics, then migrations of every service; non-zero exit on any failure."""
    await ensure_topics(PlatformSettings(), all_topics())
    print("topics ready", flush=True)
    for service in SERVICES:
        db = Database(settings_of(service).effective_database_url)
        try:
            await upgrade_to_head(db, service)
        finally:
            await db.dispose()
        print(f"{service}: migrated", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
