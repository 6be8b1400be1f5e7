"""Fixtures of the declaration service tests: the real app on SQLite and PostgreSQL, the real broker.

One app per test module and database (starting an app migrates a fresh database,
which is the slow part); tests keep their documents apart with unique numbers.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import func, select

from services.declaration.app import create_app
from services.declaration.ceb.json_codec import message_to_json
from services.declaration.ceb.model import CebMessage
from services.declaration.ceb.xml_codec import encode_xml
from services.declaration.directory.models import PartyCodeEntry
from services.declaration.settings import DeclarationSettings
from shared.db import Database
from shared.events import build_event
from shared.events.gateway import PartyRegistered
from shared.identity import Identity
from shared.messaging.kafka import ensure_topics
from shared.messaging.topics import events_topic
from shared.sqltypes import utcnow
from tests.declaration.service.factory import EBC
from tests.support.infra import Broker, create_pg_database, drop_pg_database, wait_until
from tests.support.services import on_one_loop, platform_settings, running_app, send_as, service_settings


class Api:
    """Calls the declaration service in-process, as the gateway would (identity token per request)."""

    def __init__(self, client: httpx.AsyncClient, db: Database, settings: DeclarationSettings) -> None:
        self.client = client
        self.db = db
        self.settings = settings

    async def request(
        self,
        method: str,
        path: str,
        identity: Identity,
        *,
        content: bytes | None = None,
        content_type: str | None = None,
        accept: str | None = None,
    ) -> httpx.Response:
        headers: dict[str, str] = {}
        if content_type:
            headers["content-type"] = content_type
        if accept:
            headers["accept"] = accept
        return await send_as(
            self.client, identity, "declaration", method, path, content=content, headers=headers
        )

    async def post_xml(
        self,
        message: CebMessage | bytes,
        identity: Identity,
        path: str = "/v1/customs/messages",
        accept: str | None = None,
    ) -> httpx.Response:
        body = message if isinstance(message, bytes) else encode_xml(message)
        return await self.request(
            "POST", path, identity, content=body, content_type="application/xml", accept=accept
        )

    async def post_json(
        self, data: Any, identity: Identity, path: str, accept: str | None = None
    ) -> httpx.Response:
        body = data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False).encode()
        return await self.request(
            "POST", path, identity, content=body, content_type="application/json", accept=accept
        )

    async def get(self, path: str, identity: Identity, accept: str | None = None) -> httpx.Response:
        return await self.request("GET", path, identity, accept=accept)

    async def document(self, document_id: str, identity: Identity) -> dict[str, Any]:
        response = await self.get(f"/v1/customs/documents/{document_id}", identity)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]


def message_json(message: CebMessage) -> dict[str, Any]:
    """The JSON codec form of a message (what a JSON filer sends)."""
    return message_to_json(message)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def service_db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """A fresh database for one module's app."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('decl') / 'declaration.db'}"
        return
    url = await create_pg_database("ddt_decl")
    try:
        yield url
    finally:
        await drop_pg_database(url)


def declaration_settings(db_url: str, broker: Broker, **overrides: Any) -> DeclarationSettings:
    """Settings for a test app (fast outbox).

    The customs exchange is off unless a module turns it on: these tests look at the
    pre-check statuses, which the exchange would move on to ``sent`` and beyond
    (tests/declaration/flows/ run it). The app shares the test's event loop with its
    consumers and the exchange, so it gets the one-loop request budget: admission control
    is tested with its own bounds (test_admission.py), not by a busy host.
    """
    return service_settings(
        DeclarationSettings,
        db_url,
        broker.bootstrap,
        **on_one_loop({"customs_exchange_enabled": False, **overrides}),
    )


@pytest.fixture(scope="module")
def settings_overrides() -> dict[str, Any]:
    """Override in a module to configure its app (default: the product's settings)."""
    return {}


@pytest.fixture(scope="module")
async def api(service_db_url: str, broker: Broker, settings_overrides: dict[str, Any]) -> AsyncIterator[Api]:
    """The declaration service of this module, with a merchant registered in its code directory."""
    settings = declaration_settings(service_db_url, broker, **settings_overrides)
    app = create_app(settings)
    db = Database(service_db_url)
    async with running_app(app) as client:
        await register_party(broker, db, "merchant-1", EBC)
        yield Api(client, db, settings)
    await db.dispose()


async def register_party(broker: Broker, db: Database, party_id: str, code: str) -> None:
    """Publish the gateway's PartyRegistered event and wait until the service's directory has the code."""
    platform = platform_settings(broker.bootstrap)
    topic = events_topic("gateway")
    await ensure_topics(platform, [topic])
    event = build_event(
        PartyRegistered(
            party_id=party_id,
            name=party_id,
            uscc=f"91320700MA{uuid.uuid4().hex[:8].upper()}",
            customs_code=code,
            roles=["ecommerce_enterprise"],
            registered_at=utcnow(),
        ),
        source="/ddt/gateway",
        subject=party_id,
    )
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(topic, event.to_json_bytes(), key=party_id.encode())
    finally:
        await producer.stop()

    async def known() -> bool:
        async with db.transaction() as session:
            count = await session.scalar(
                select(func.count()).select_from(PartyCodeEntry).where(PartyCodeEntry.code == code)
            )
            return bool(count)

    await wait_until(known, timeout=60, message=f"directory learns {code}")


@pytest.fixture
def tag() -> str:
    """A unique suffix for document numbers."""
    return uuid.uuid4().hex[:10].upper()


OFFICIAL = Path(__file__).resolve().parents[1] / "fixtures" / "official"
