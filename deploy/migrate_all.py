"""Production start-up step: create the topics and apply every service's migrations.

``python -m deploy.migrate_all`` — run once per deployment, before the services start
(docker-compose runs it as the one-shot ``migrate`` service, Kubernetes as the migration
Job). It needs the Kafka settings and each service's database URL
(``DDT_<SERVICE>_DATABASE_URL``, as the database's owner) and nothing else: it builds no
service's settings, so it never holds a service's keys.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Mapping

from deploy.catalogue import SERVICES, database_url_variable
from shared.db import Database
from shared.messaging.kafka import ensure_topics
from shared.messaging.topics import all_topics
from shared.migrations import upgrade_to_head
from shared.settings import PlatformSettings


def database_urls(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """Each service's database URL from ``environ``; ``SystemExit`` naming what is missing."""
    urls = {service: environ.get(database_url_variable(service), "") for service in SERVICES}
    missing = [database_url_variable(s) for s, url in urls.items() if not url]
    if missing:
        raise SystemExit(f"migrate_all needs {', '.join(missing)}")
    return urls


async def main() -> int:
    """Topics, then migrations of every service; non-zero exit on any failure."""
    urls = database_urls()
    await ensure_topics(PlatformSettings(), all_topics())
    print("topics ready", flush=True)
    for service, url in urls.items():
        db = Database(url)
        try:
            await upgrade_to_head(db, service)
        finally:
            await db.dispose()
        print(f"{service}: migrated", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
