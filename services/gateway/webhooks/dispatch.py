"""Deliveries: created from Kafka events, sent, retried with backoff, dead-lettered.

* :func:`fan_out` is the consumer handler: an event that names a party (``party_id``
  in its data, or in its ``document``) becomes one delivery per matching active
  subscription of that party, in the consumer's transaction (idempotent: one
  delivery per subscription and event id).
* :class:`DeliverySender` sends due deliveries. Each attempt re-checks the
  destination against the SSRF rules, connects to the checked address, follows no
  redirect, and signs ``t=…,v1=…`` with :func:`sdk.webhooks.sign_webhook` (two
  ``v1`` while a secret rotation overlaps). A failed attempt is retried after
  ``first_retry × 2^(n-1)`` (capped, ±20 % jitter); once the retry window
  (≥ 24 h) has run out the delivery is **dead** and visible to the party, who may
  replay it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import time
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from sdk.webhooks import WEBHOOK_SIGNATURE_HEADER, sign_webhook
from services.gateway.credentials.sealing import SecretSealer
from services.gateway.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from services.gateway.webhooks.repository import DeliveryRepository, SubscriptionRepository
from services.gateway.webhooks.service import load_allowlist, new_id
from services.gateway.webhooks.ssrf import DestinationRefused, check_destination
from shared.db import Database
from shared.events.envelope import EVENT_MODELS, CloudEvent, EventData
from shared.messaging.consumer import EventHandlers
from shared.sqltypes import utcnow

log = logging.getLogger("ddt.gateway.webhooks")


def parties_named(data: dict[str, Any]) -> set[str]:
    """Party ids an event concerns: ``party_id`` at the top level or one level down."""
    found: set[str] = set()
    if isinstance(data.get("party_id"), str):
        found.add(data["party_id"])
    for value in data.values():
        if isinstance(value, dict) and isinstance(value.get("party_id"), str):
            found.add(value["party_id"])
    return found


def wants(event_types: list[str], base_type: str) -> bool:
    """True if a subscription's types cover ``base_type`` (exact, ``prefix.*`` or ``*``)."""
    return any(
        t == "*" or t == base_type or (t.endswith(".*") and base_type.startswith(t[:-1])) for t in event_types
    )


async def fan_out(session: AsyncSession, event: CloudEvent, _data: EventData) -> None:
    """Consumer handler: one delivery per matching subscription of each party the event names."""
    party_ids = parties_named(event.data)
    if not party_ids:
        return
    subs = await SubscriptionRepository(session).active_of(party_ids)
    deliveries = DeliveryRepository(session)
    now = utcnow()
    payload = event.to_json_bytes().decode()
    for sub in subs:
        if not wants(sub.event_types, event.base_type):
            continue
        await deliveries.create_once(
            {
                "id": new_id("whd_"),
                "subscription_id": sub.id,
                "party_id": sub.party_id,
                "event_id": event.id,
                "event_type": event.type,
                "payload": payload,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "window_started_at": now,
                "created_at": now,
            }
        )


def webhook_handlers() -> EventHandlers:
    """Handlers for every event type the platform defines (all fan out the same way)."""
    handlers = EventHandlers()
    for model in EVENT_MODELS.values():
        handlers.on(model)(fan_out)
    return handlers


class DeliverySender:
    """Sends due deliveries; run :meth:`run` as a background task, or :meth:`send_due` directly."""

    def __init__(
        self,
        db: Database,
        sealer: SecretSealer,
        client: httpx.AsyncClient,
        *,
        retry_window: dt.timedelta,
        first_retry: float,
        max_interval: float,
        poll_seconds: float = 1.0,
        batch_size: int = 20,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.db = db
        self.sealer = sealer
        self.client = client
        self.retry_window = retry_window
        self.first_retry = first_retry
        self.max_interval = max_interval
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        self._rng = rng

    def backoff(self, attempts: int) -> float:
        """Seconds before retry number ``attempts`` (1-based), with ±20 % jitter."""
        base = min(self.first_retry * 2 ** (attempts - 1), self.max_interval)
        return base * (0.8 + 0.4 * self._rng())

    async def run(self, stop: asyncio.Event) -> None:
        """Send due deliveries until ``stop``."""
        while not stop.is_set():
            try:
                sent = await self.send_due()
            except Exception as exc:
                log.warning("webhook pass failed", extra={"error": repr(exc)})
                sent = 0
            if sent < self.batch_size:
                try:
                    await asyncio.wait_for(stop.wait(), self.poll_seconds)
                except TimeoutError:
                    pass

    async def send_due(self, now: dt.datetime | None = None) -> int:
        """Claim and send the deliveries due at ``now``; returns how many were attempted."""
        now = now or utcnow()
        claimed = await self._claim(now)
        if claimed:
            await asyncio.gather(*(self._attempt(delivery_id, now) for delivery_id in claimed))
        return len(claimed)

    async def _claim(self, now: dt.datetime) -> list[str]:
        lease = now + dt.timedelta(seconds=self.client.timeout.read or 30) * 2
        async with self.db.transaction() as session:
            return await DeliveryRepository(session).claim_due(now, lease, self.batch_size)

    async def _attempt(self, delivery_id: str, now: dt.datetime) -> None:
        async with self.db.transaction() as session:
            delivery = await DeliveryRepository(session).get(delivery_id)
            sub = await SubscriptionRepository(session).get(delivery.subscription_id) if delivery else None
            allow = await load_allowlist(session)
        if delivery is None or sub is None:
            return
        started = time.perf_counter()
        status_code: int | None = None
        error: str | None = None
        if sub.status != "active":
            error = "subscription disabled"
        else:
            try:
                destination = await check_destination(sub.url, allow)
                status_code = await self._post(destination, sub, delivery)
                if not 200 <= status_code < 300:
                    error = f"HTTP {status_code}" + (
                        " (redirects are not followed)" if 300 <= status_code < 400 else ""
                    )
            except DestinationRefused as exc:
                error = f"destination refused: {exc.reason}"
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {str(exc)[:200]}"
        duration_ms = int((time.perf_counter() - started) * 1000)
        await self._record(delivery_id, now, status_code, error, duration_ms)

    async def _post(self, destination: Any, sub: WebhookSubscription, delivery: WebhookDelivery) -> int:
        secrets_ = [self.sealer.open(sub.sealed_secret, sub.id)]
        if (
            sub.previous_sealed_secret
            and sub.previous_secret_expires_at
            and sub.previous_secret_expires_at > utcnow()
        ):
            secrets_.insert(0, self.sealer.open(sub.previous_sealed_secret, sub.id))
        body = delivery.payload.encode("utf-8")
        url = httpx.URL(destination.url)
        address = destination.address
        pinned = url.copy_with(host=str(address) if address.version == 4 else f"[{address}]")
        response = await self.client.post(
            pinned,
            content=body,
            headers={
                "Host": url.netloc.decode("ascii"),
                "Content-Type": "application/json",
                "User-Agent": "Diandiantong-Webhooks/1",
                WEBHOOK_SIGNATURE_HEADER: sign_webhook(secrets_, body),
                "X-DDT-Webhook-Id": delivery.id,
                "X-DDT-Event-Id": delivery.event_id,
                "X-DDT-Event-Type": delivery.event_type,
            },
            extensions={"sni_hostname": destination.host},
        )
        return response.status_code

    async def _record(
        self, delivery_id: str, now: dt.datetime, status_code: int | None, error: str | None, duration_ms: int
    ) -> None:
        async with self.db.transaction() as session:
            repo = DeliveryRepository(session)
            delivery = await repo.get(delivery_id)
            if delivery is None:
                return
            delivery.attempts += 1
            repo.add_attempt(
                WebhookAttempt(
                    delivery_id=delivery.id,
                    subscription_id=delivery.subscription_id,
                    attempt=delivery.attempts,
                    attempted_at=now,
                    status_code=status_code,
                    error=error,
                    duration_ms=duration_ms,
                )
            )
            delivery.last_status_code = status_code
            delivery.last_error = error
            if error is None:
                delivery.status = "delivered"
                delivery.delivered_at = now
                delivery.next_attempt_at = None
                return
            # Retries go on for the whole window: a backoff that would overshoot its end is
            # cut short to a last attempt at the end, and only a failure then is final.
            window_end = delivery.window_started_at + self.retry_window
            retry_at = min(now + dt.timedelta(seconds=self.backoff(delivery.attempts)), window_end)
            if now >= window_end:
                delivery.status = "dead"
                delivery.dead_at = now
                delivery.next_attempt_at = None
                log.info(
                    "webhook delivery dead-lettered",
                    extra={"delivery_id": delivery.id, "attempts": delivery.attempts},
                )
            else:
                delivery.next_attempt_at = retry_at
