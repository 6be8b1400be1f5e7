"""Webhooks out: SSRF refusal (at registration and at send time), Kafka-driven signed
deliveries, exponential retries for at least 24 h then dead letters, replay, rotation."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from sdk.webhooks import WEBHOOK_SIGNATURE_HEADER, parse_webhook_signature, verify_webhook
from services.gateway.webhooks.dispatch import DeliverySender, fan_out
from services.gateway.webhooks.models import WebhookDelivery
from shared.events import build_event
from shared.events.gateway import PartyStatusChanged
from shared.sqltypes import utcnow
from tests.gateway.support import Gateway, PartyKey, gateway_settings, running_gateway
from tests.support.infra import Broker, wait_until
from tests.support.services import served

RECEIVED: list[dict[str, Any]] = []


def receiver_app() -> FastAPI:
    """A webhook receiver on loopback: /ok answers 200, /fail 500, /redirect 302."""
    app = FastAPI()

    @app.post("/{outcome}/{tag}")
    async def hook(outcome: str, tag: str, request: Request) -> Response:
        RECEIVED.append(
            {"tag": tag, "outcome": outcome, "headers": dict(request.headers), "body": await request.body()}
        )
        if outcome == "fail":
            return JSONResponse({}, status_code=500)
        if outcome == "redirect":
            return RedirectResponse(f"/ok/{tag}-redirected", status_code=302)
        return JSONResponse({"ok": True})

    return app


@pytest.fixture(scope="module")
async def receiver() -> AsyncIterator[str]:
    async with served(receiver_app()) as url:
        yield url


@pytest.fixture(scope="module")
async def quiet_gateway(broker: Broker, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Gateway]:
    """A gateway whose background sender stays idle: these tests drive time themselves."""
    var_dir = tmp_path_factory.mktemp("gwwh")
    settings = gateway_settings(
        f"sqlite+aiosqlite:///{var_dir / 'g.db'}", broker.bootstrap, var_dir, webhook_poll_seconds=3600
    )
    async with running_gateway(settings) as gw:
        await _allow_loopback(gw)
        yield gw


async def _allow_loopback(gw: Gateway) -> None:
    response = await gw.call(
        "POST",
        "/v1/admin/webhook-allowlist",
        gw.admin,
        json_body={"entry": "127.0.0.1/32", "note": "test receiver"},
    )
    assert response.status_code in (201, 409), response.text


async def _subscribe(
    gw: Gateway, party: PartyKey, url: str, types: list[str] | None = None
) -> dict[str, Any]:
    response = await gw.call(
        "POST",
        "/v1/webhooks/subscriptions",
        party,
        json_body={"url": url, "event_types": types or ["ddt.gateway.party.*"]},
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def _deliver_event(gw: Gateway, party: PartyKey) -> str:
    """Run the consumer handler on an event naming ``party``; returns the event id."""
    event = build_event(
        PartyStatusChanged(party_id=party.party_id, status="active", occurred_at=utcnow()),
        source="/ddt/gateway",
        subject=party.party_id,
    )
    async with gw.runtime.db.transaction() as session:
        await fan_out(session, event, None)  # type: ignore[arg-type]
    return event.id


async def _delivery(gw: Gateway, party: PartyKey, sub_id: str, event_id: str) -> dict[str, Any]:
    """The subscription's delivery of ``event_id`` (registry events from Kafka may add others)."""
    listed = await gw.call("GET", f"/v1/webhooks/subscriptions/{sub_id}/deliveries", party)
    return next(d for d in listed.json()["items"] if d["event_id"] == event_id)


REFUSED = [
    "http://127.0.0.1:9/x",
    "https://127.0.0.1/x",
    "https://localhost/x",
    "https://169.254.169.254/latest/meta-data",
    "https://10.0.0.5/hook",
    "https://192.168.1.1/hook",
    "https://172.16.0.1/hook",
    "https://[::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://0.0.0.0/hook",
    "https://100.64.0.1/hook",
    "https://[fe80::1]/hook",
    "https://user:pw@93.184.216.34/hook",
    "ftp://93.184.216.34/hook",
    "http://93.184.216.34/plain-http",
]


@pytest.mark.parametrize("url", REFUSED)
async def test_callback_url_to_a_non_public_or_unsafe_destination_is_refused(
    gateway: Gateway, url: str
) -> None:
    party = await gateway.enterprise()
    response = await gateway.call(
        "POST", "/v1/webhooks/subscriptions", party, json_body={"url": url, "event_types": ["*"]}
    )
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "webhook.url_refused"


async def test_public_https_callback_is_accepted_and_its_secret_shown_once(gateway: Gateway) -> None:
    party = await gateway.enterprise()
    created = await _subscribe(gateway, party, "https://93.184.216.34/hook")
    assert created["secret"].startswith("ddtwh_")
    shown = await gateway.call("GET", f"/v1/webhooks/subscriptions/{created['id']}", party)
    assert created["secret"] not in shown.text


async def test_kafka_event_is_delivered_signed_to_an_allow_listed_receiver(
    gateway: Gateway, receiver: str
) -> None:
    await _allow_loopback(gateway)
    party = await gateway.enterprise()
    tag = uuid.uuid4().hex
    sub = await _subscribe(gateway, party, f"{receiver}/ok/{tag}")
    # A registry change publishes PartyRegistered through the outbox → broker → the gateway's consumer.
    renamed = await gateway.call(
        "PATCH", f"/v1/parties/{party.party_id}", gateway.admin, json_body={"name": "Renamed enterprise"}
    )
    assert renamed.status_code == 200

    async def arrived() -> dict[str, Any] | None:
        return next((r for r in RECEIVED if r["tag"] == tag), None)

    got = await wait_until(arrived, timeout=60, message="webhook delivered")
    assert verify_webhook(sub["secret"], got["headers"][WEBHOOK_SIGNATURE_HEADER.lower()], got["body"])
    assert b'"ddt.gateway.party.registered.v1"' in got["body"]
    assert got["headers"]["x-ddt-event-type"] == "ddt.gateway.party.registered.v1"


async def test_failing_receiver_is_retried_with_growing_backoff_for_24_hours_then_dead(
    quiet_gateway: Gateway, receiver: str
) -> None:
    gw = quiet_gateway
    sender = gw.runtime.components.get(DeliverySender)
    party = await gw.enterprise()
    sub = await _subscribe(gw, party, f"{receiver}/fail/{uuid.uuid4().hex}")
    event_id = await _deliver_event(gw, party)
    delivery_id = (await _delivery(gw, party, sub["id"], event_id))["id"]
    now = utcnow()
    schedule: list[dt.datetime] = []
    for _ in range(200):
        await sender.send_due(now=now)
        async with gw.runtime.db.transaction() as session:
            row = await session.get(WebhookDelivery, delivery_id)
        if row.status == "dead":
            break
        schedule.append(row.next_attempt_at)
        now = row.next_attempt_at
    assert row.status == "dead"
    assert row.dead_at - row.window_started_at >= dt.timedelta(hours=24)
    gaps = [(b - a).total_seconds() for a, b in zip(schedule, schedule[1:], strict=False)]
    assert gaps[1] > gaps[0] > 0  # exponential at first
    dead = await gw.call("GET", "/v1/webhooks/deliveries?status=dead", party)
    assert delivery_id in [d["id"] for d in dead.json()["items"]]
    detail = await gw.call("GET", f"/v1/webhooks/deliveries/{delivery_id}", party)
    assert len(detail.json()["attempt_log"]) == row.attempts
    assert {a["status_code"] for a in detail.json()["attempt_log"]} == {500}


async def test_dead_delivery_can_be_replayed_by_its_party(quiet_gateway: Gateway, receiver: str) -> None:
    gw = quiet_gateway
    sender = gw.runtime.components.get(DeliverySender)
    party = await gw.enterprise()
    tag = uuid.uuid4().hex
    sub = await _subscribe(gw, party, f"{receiver}/ok/{tag}")
    event_id = await _deliver_event(gw, party)
    delivery_id = (await _delivery(gw, party, sub["id"], event_id))["id"]
    async with gw.runtime.db.transaction() as session:
        row = await session.get(WebhookDelivery, delivery_id)
        row.status, row.next_attempt_at, row.dead_at = "dead", None, utcnow()
    replay = await gw.call("POST", f"/v1/webhooks/deliveries/{delivery_id}/replay", party, json_body={})
    assert replay.json()["status"] == "pending"
    await sender.send_due()
    assert (await gw.call("GET", f"/v1/webhooks/deliveries/{delivery_id}", party)).json()[
        "status"
    ] == "delivered"
    assert any(r["tag"] == tag for r in RECEIVED)


async def test_destination_removed_from_the_allow_list_is_refused_at_send_time(
    broker: Broker, tmp_path: Path, receiver: str
) -> None:
    settings = gateway_settings(
        f"sqlite+aiosqlite:///{tmp_path / 'g.db'}", broker.bootstrap, tmp_path, webhook_poll_seconds=3600
    )
    async with running_gateway(settings) as gw:
        await _allow_loopback(gw)
        party = await gw.enterprise()
        tag = uuid.uuid4().hex
        sub = await _subscribe(gw, party, f"{receiver}/ok/{tag}")
        removed = await gw.call("DELETE", "/v1/admin/webhook-allowlist/127.0.0.1/32", gw.admin)
        assert removed.status_code == 204
        event_id = await _deliver_event(gw, party)
        await gw.runtime.components.get(DeliverySender).send_due()
        delivery = await _delivery(gw, party, sub["id"], event_id)
    assert delivery["status"] == "pending"
    assert delivery["last_error"].startswith("destination refused")
    assert not any(r["tag"] == tag for r in RECEIVED)


async def test_redirects_are_not_followed(quiet_gateway: Gateway, receiver: str) -> None:
    gw = quiet_gateway
    party = await gw.enterprise()
    tag = uuid.uuid4().hex
    sub = await _subscribe(gw, party, f"{receiver}/redirect/{tag}")
    event_id = await _deliver_event(gw, party)
    await gw.runtime.components.get(DeliverySender).send_due()
    delivery = await _delivery(gw, party, sub["id"], event_id)
    assert delivery["last_status_code"] == 302
    assert not any(r["tag"] == f"{tag}-redirected" for r in RECEIVED)


async def test_rotated_secret_signs_beside_the_old_one(quiet_gateway: Gateway, receiver: str) -> None:
    gw = quiet_gateway
    party = await gw.enterprise()
    tag = uuid.uuid4().hex
    sub = await _subscribe(gw, party, f"{receiver}/ok/{tag}")
    rotated = await gw.call(
        "POST", f"/v1/webhooks/subscriptions/{sub['id']}/rotate-secret", party, json_body={}
    )
    await _deliver_event(gw, party)
    await gw.runtime.components.get(DeliverySender).send_due()
    got = next(r for r in RECEIVED if r["tag"] == tag)
    header = got["headers"][WEBHOOK_SIGNATURE_HEADER.lower()]
    assert len(parse_webhook_signature(header).signatures) == 2
    assert verify_webhook(sub["secret"], header, got["body"])
    assert verify_webhook(rotated.json()["secret"], header, got["body"])


async def test_deliveries_go_only_to_the_party_the_event_names(quiet_gateway: Gateway, receiver: str) -> None:
    gw = quiet_gateway
    named, other = await gw.enterprise(), await gw.enterprise()
    await _subscribe(gw, named, f"{receiver}/ok/{uuid.uuid4().hex}")
    other_sub = await _subscribe(gw, other, f"{receiver}/ok/{uuid.uuid4().hex}")
    event_id = await _deliver_event(gw, named)
    listed = await gw.call("GET", f"/v1/webhooks/subscriptions/{other_sub['id']}/deliveries", other)
    assert event_id not in [d["event_id"] for d in listed.json()["items"]]


async def test_subscriptions_and_deliveries_page_with_opaque_cursors(
    quiet_gateway: Gateway, receiver: str
) -> None:
    gw = quiet_gateway
    party = await gw.enterprise()
    subs = [await _subscribe(gw, party, f"{receiver}/ok/{uuid.uuid4().hex}") for _ in range(3)]
    events = [await _deliver_event(gw, party) for _ in range(3)]

    async def walk(path: str, param: str) -> list[list[dict[str, Any]]]:
        pages, cursor = [], None
        while True:
            body = (await gw.call("GET", path + (f"&{param}={cursor}" if cursor else ""), party)).json()
            pages.append(body["items"])
            if (cursor := body["next_cursor"]) is None:
                return pages

    listed = await walk("/v1/webhooks/subscriptions?limit=2", "cursor")
    assert [s["id"] for page in listed for s in page] == [s["id"] for s in subs]
    by_before = await walk(f"/v1/webhooks/subscriptions/{subs[0]['id']}/deliveries?limit=2", "before")
    mine = [d["event_id"] for page in by_before for d in page if d["event_id"] in events]
    assert mine == list(reversed(events))
    everything = await walk("/v1/webhooks/deliveries?limit=4", "cursor")
    ids = [d["id"] for page in everything for d in page]
    assert len(ids) == len(set(ids)) >= 9


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    """A certificate for ``localhost`` (and 127.0.0.1), self-signed, with its key."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "receiver.pem", tmp_path / "receiver.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


async def test_https_receiver_gets_a_verified_delivery_on_the_checked_address(
    broker: Broker, tmp_path: Path
) -> None:
    import asyncio

    import uvicorn

    from tests.support.infra import free_port

    cert, key = _self_signed(tmp_path)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            receiver_app(),
            host="127.0.0.1",
            port=port,
            log_config=None,
            ssl_certfile=str(cert),
            ssl_keyfile=str(key),
            lifespan="off",
        )
    )
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
        await asyncio.sleep(0.05)
    try:
        settings = gateway_settings(
            f"sqlite+aiosqlite:///{tmp_path / 'g.db'}",
            broker.bootstrap,
            tmp_path,
            webhook_poll_seconds=3600,
            webhook_ca_file=str(cert),
        )
        async with running_gateway(settings) as gw:
            allowed = await gw.call(
                "POST", "/v1/admin/webhook-allowlist", gw.admin, json_body={"entry": "localhost"}
            )
            assert allowed.status_code == 201
            party = await gw.enterprise()
            tag = uuid.uuid4().hex
            sub = await _subscribe(gw, party, f"https://localhost:{port}/ok/{tag}")
            event_id = await _deliver_event(gw, party)
            await gw.runtime.components.get(DeliverySender).send_due()
            delivery = await _delivery(gw, party, sub["id"], event_id)
    finally:
        server.should_exit = True
        await task
    assert delivery["status"] == "delivered", delivery
    got = next(r for r in RECEIVED if r["tag"] == tag)
    assert got["headers"]["host"] == f"localhost:{port}"
    assert verify_webhook(sub["secret"], got["headers"][WEBHOOK_SIGNATURE_HEADER.lower()], got["body"])
