"""The whole path on real parts: a carrier pushes its native format through the gateway, signed
like every party; the shipment came from a waybill event on the real broker; the change goes
back out as a signed webhook to the enterprise that subscribed."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI, Request, Response

from sdk.webhooks import WEBHOOK_SIGNATURE_HEADER, verify_webhook
from services.logistics.app import create_app
from services.logistics.settings import LogisticsSettings
from shared.events import build_event
from shared.events.declaration import DocumentAccepted
from shared.messaging.kafka import ensure_topics
from shared.messaging.topics import all_topics, events_topic
from shared.sqltypes import utcnow
from tests.gateway.support import Gateway, customs_code, gateway_settings, running_gateway
from tests.logistics.support import awb, facts
from tests.support.infra import Broker, wait_until
from tests.support.services import platform_settings, served, service_settings

RECEIVED: list[dict[str, Any]] = []


def _receiver() -> FastAPI:
    app = FastAPI()

    @app.post("/hook/{tag}")
    async def hook(tag: str, request: Request) -> Response:
        RECEIVED.append({"tag": tag, "headers": dict(request.headers), "body": await request.body()})
        return Response(status_code=204)

    return app


@pytest.fixture
async def platform(own_broker: Broker, tmp_path: Path) -> AsyncIterator[Gateway]:
    """A gateway in front of a real logistics service, on one broker of the test's own."""
    await ensure_topics(platform_settings(own_broker.bootstrap), all_topics())
    logistics = create_app(
        service_settings(LogisticsSettings, f"sqlite+aiosqlite:///{tmp_path / 'l.db'}", own_broker.bootstrap)
    )
    async with served(logistics) as logistics_url:
        settings = gateway_settings(
            f"sqlite+aiosqlite:///{tmp_path / 'g.db'}",
            own_broker.bootstrap,
            tmp_path,
            logistics_url=logistics_url,
        )
        async with running_gateway(settings) as gw:
            allowed = await gw.call(
                "POST",
                "/v1/admin/webhook-allowlist",
                gw.admin,
                json_body={"entry": "127.0.0.1/32", "note": "t"},
            )
            assert allowed.status_code in (201, 409)
            yield gw


async def _publish(bootstrap: str, topic: str, payload: bytes, key: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(topic, payload, key=key.encode())
    finally:
        await producer.stop()


async def test_a_signed_native_push_through_the_gateway_reaches_the_subscribers_webhook(
    platform: Gateway, own_broker: Broker
) -> None:
    gw = platform
    carrier_code, enterprise_code = customs_code(), customs_code()
    carrier = await gw.onboard("logistics_firm", codes=[(carrier_code, ["logisticsCode"])])
    enterprise = await gw.onboard("ecommerce_enterprise", codes=[(enterprise_code, ["ebcCode"])])
    async with served(_receiver()) as receiver:
        tag = uuid.uuid4().hex
        hook = await gw.call(
            "POST", "/v1/webhooks/subscriptions", enterprise,
            json_body={"url": f"{receiver}/hook/{tag}", "event_types": ["ddt.logistics.notification"]},
        )  # fmt: skip
        assert hook.status_code == 201, hook.text
        watch = await gw.call("POST", "/v1/logistics/subscriptions", enterprise, json_body={"scope": "all"})
        assert watch.status_code == 201, watch.text

        number = awb(int(uuid.uuid4().int % 10**7))
        document = facts("waybill", "CEB505", tag, party_id=carrier.party_id, ebc_code=enterprise_code,
                         logistics_code=carrier_code, logistics_no=number)  # fmt: skip
        accepted = build_event(
            DocumentAccepted(document=document, accepted_at=utcnow()), source="/ddt/declaration", subject=tag
        )
        await _publish(
            own_broker.bootstrap, events_topic("declaration"), accepted.to_json_bytes(), accepted.id
        )

        async def shipment() -> Any:
            found = await gw.call("GET", f"/v1/logistics/shipments/search?number={number}", carrier)
            return found.json()["items"] if found.status_code == 200 and found.json()["items"] else None

        await wait_until(shipment, timeout=60, message="the waybill event made a shipment")
        unsigned = await gw.call("POST", "/v1/logistics/push/iata-fsu", None, content=b"FSU/14")
        assert unsigned.status_code == 401
        message = f"FSU/14\n{number}PVGFRA/T1K2.0\nRCS/01MAY0830/PVG/T1K2.0\n".encode()
        pushed = await gw.call(
            "POST",
            "/v1/logistics/push/iata-fsu",
            carrier,
            content=message,
            headers={"Content-Type": "text/plain"},
        )
        assert pushed.status_code == 200, pushed.text
        assert pushed.json()["accepted"] == 1

        async def delivered() -> dict[str, Any] | None:
            return next((r for r in RECEIVED if r["tag"] == tag), None)

        got = await wait_until(delivered, timeout=90, message="the notification reached the webhook")
        assert verify_webhook(
            hook.json()["secret"], got["headers"][WEBHOOK_SIGNATURE_HEADER.lower()], got["body"]
        )
        assert b'"sub_status":"arrived_at_site"' in got["body"] and number.encode() in got["body"]
