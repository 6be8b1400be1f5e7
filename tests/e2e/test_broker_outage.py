"""A broker that is down at start-up delays readiness instead of crashing, and events
written while it is down are delivered once it is back."""

from __future__ import annotations

from pathlib import Path

import httpx

from services.logistics.app import create_app
from services.logistics.settings import LogisticsSettings
from shared.messaging.kafka import ensure_topics
from shared.messaging.topics import all_topics
from tests.shared.events_fixtures import CounterBumped
from tests.shared.test_outbox import read_topic
from tests.support.infra import Broker, free_port, wait_until
from tests.support.services import platform_settings, served, service_settings


async def test_service_starts_without_broker_and_delivers_when_it_comes(tmp_path: Path) -> None:
    broker = Broker(port=free_port(), log_dir=tmp_path)  # not started yet
    app = create_app(
        service_settings(LogisticsSettings, f"sqlite+aiosqlite:///{tmp_path}/l.db", broker.bootstrap)
    )
    try:
        async with served(app) as url, httpx.AsyncClient(base_url=url) as client:
            not_ready = (await client.get("/readyz")).status_code
            runtime = app.state.runtime
            async with (
                runtime.db.transaction() as session
            ):  # a request's unit of work, while the broker is away
                await runtime.publisher.stage(
                    session, CounterBumped(counter="outage", amount=1), subject="o-1"
                )
            broker.start()
            await ensure_topics(platform_settings(broker.bootstrap), all_topics())

            async def ready() -> bool:
                return (await client.get("/readyz")).status_code == 200

            await wait_until(ready, timeout=60, message="ready once the broker is up")
            events = await read_topic(broker.bootstrap, runtime.publisher.topic, expected=1, timeout=30)
        assert (not_ready, [e.data["counter"] for e in events]) == (503, ["outage"])
    finally:
        broker.stop()
