"""Webhook subscriptions, the admin allow-list, and deliveries as parties see them.

Every query is scoped by the calling party: another party's subscription or
delivery is "not found", never "forbidden", so ids cannot be probed.
"""

from __future__ import annotations

import base64
import secrets

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sdk.webhooks import generate_webhook_secret
from services.gateway.credentials.sealing import SecretSealer
from services.gateway.problems import WEBHOOK_LIMIT, WEBHOOK_URL_REFUSED
from services.gateway.webhooks.models import (
    WebhookAllowEntry,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from services.gateway.webhooks.schemas import (
    AttemptOut,
    DeliveryDetail,
    DeliveryOut,
    SubscriptionCreated,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionPatch,
)
from services.gateway.webhooks.ssrf import AllowList, DestinationRefused, check_destination
from shared.problems import CONFLICT, NOT_FOUND, ProblemError
from shared.sqltypes import utcnow

#: A rotated-out secret keeps signing beside the new one for this long.
ROTATION_OVERLAP_HOURS = 24


def new_id(prefix: str) -> str:
    """A random, non-enumerable id."""
    return prefix + base64.b32encode(secrets.token_bytes(10)).decode().lower()


async def load_allowlist(session: AsyncSession) -> AllowList:
    """The admin allow-list as it is now."""
    return AllowList.from_entries((await session.scalars(select(WebhookAllowEntry.entry))).all())


def subscription_out(row: WebhookSubscription) -> SubscriptionOut:
    """Public view."""
    return SubscriptionOut(
        id=row.id,
        url=row.url,
        event_types=row.event_types,
        description=row.description,
        status=row.status,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def delivery_out(row: WebhookDelivery) -> DeliveryOut:
    """Public view."""
    return DeliveryOut(
        id=row.id,
        subscription_id=row.subscription_id,
        event_id=row.event_id,
        event_type=row.event_type,
        status=row.status,  # type: ignore[arg-type]
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_status_code=row.last_status_code,
        last_error=row.last_error,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
        dead_at=row.dead_at,
    )


class WebhookService:
    """Subscription and delivery use cases for one party, in the caller's transaction."""

    def __init__(self, session: AsyncSession, sealer: SecretSealer, max_subscriptions: int = 10) -> None:
        self.session = session
        self.sealer = sealer
        self.max_subscriptions = max_subscriptions

    async def _check_url(self, url: str) -> None:
        try:
            await check_destination(url, await load_allowlist(self.session))
        except DestinationRefused as exc:
            raise ProblemError(
                WEBHOOK_URL_REFUSED, exc.reason, errors=[{"pointer": "/url", "detail": exc.reason}]
            ) from None

    async def subscribe(self, party_id: str, data: SubscriptionIn) -> SubscriptionCreated:
        """Register a callback URL (checked against SSRF rules now, and again at every send)."""
        await self._check_url(data.url)
        count = await self.session.scalar(
            select(func.count())
            .select_from(WebhookSubscription)
            .where(WebhookSubscription.party_id == party_id)
        )
        if (count or 0) >= self.max_subscriptions:
            raise ProblemError(WEBHOOK_LIMIT, f"At most {self.max_subscriptions} subscriptions per party.")
        secret = generate_webhook_secret()
        now = utcnow()
        sub_id = new_id("whs_")
        row = WebhookSubscription(
            id=sub_id,
            party_id=party_id,
            url=data.url,
            event_types=data.event_types,
            description=data.description,
            sealed_secret=self.sealer.seal(secret, sub_id),
            status="active",
            created_at=now,
            updated_at=now,
        )
        self.session.add(row)
        await self.session.flush()
        return SubscriptionCreated(**subscription_out(row).model_dump(), secret=secret)

    async def own(self, party_id: str, subscription_id: str) -> WebhookSubscription:
        """The party's subscription, or 404."""
        row = await self.session.get(WebhookSubscription, subscription_id)
        if row is None or row.party_id != party_id:
            raise ProblemError(NOT_FOUND, "No such subscription.")
        return row

    async def list_own(self, party_id: str) -> list[SubscriptionOut]:
        """Own subscriptions."""
        rows = await self.session.scalars(
            select(WebhookSubscription)
            .where(WebhookSubscription.party_id == party_id)
            .order_by(WebhookSubscription.created_at)
        )
        return [subscription_out(r) for r in rows]

    async def update(self, party_id: str, subscription_id: str, patch: SubscriptionPatch) -> SubscriptionOut:
        """Change URL (re-checked), event types, description or status."""
        row = await self.own(party_id, subscription_id)
        if patch.url is not None:
            await self._check_url(patch.url)
            row.url = patch.url
        if patch.event_types is not None:
            row.event_types = patch.event_types
        if patch.description is not None:
            row.description = patch.description
        if patch.status is not None:
            row.status = patch.status
        row.updated_at = utcnow()
        return subscription_out(row)

    async def delete(self, party_id: str, subscription_id: str) -> None:
        """Delete a subscription and its deliveries."""
        row = await self.own(party_id, subscription_id)
        await self.session.delete(row)

    async def rotate_secret(self, party_id: str, subscription_id: str) -> SubscriptionCreated:
        """A new secret; the old one keeps signing beside it for 24 h (two v1 signatures)."""
        import datetime as dt

        row = await self.own(party_id, subscription_id)
        secret = generate_webhook_secret()
        now = utcnow()
        row.previous_sealed_secret = row.sealed_secret
        row.previous_secret_expires_at = now + dt.timedelta(hours=ROTATION_OVERLAP_HOURS)
        row.sealed_secret = self.sealer.seal(secret, row.id)
        row.updated_at = now
        return SubscriptionCreated(**subscription_out(row).model_dump(), secret=secret)

    async def deliveries(
        self,
        party_id: str,
        *,
        subscription_id: str | None = None,
        status: str | None = None,
        before: str | None = None,
        limit: int = 50,
    ) -> list[DeliveryOut]:
        """Own deliveries, newest first (keyset by created_at, id)."""
        if subscription_id is not None:
            await self.own(party_id, subscription_id)
        query = select(WebhookDelivery).where(WebhookDelivery.party_id == party_id)
        if subscription_id is not None:
            query = query.where(WebhookDelivery.subscription_id == subscription_id)
        if status is not None:
            query = query.where(WebhookDelivery.status == status)
        if before is not None:
            cursor = await self.session.get(WebhookDelivery, before)
            if cursor is not None and cursor.party_id == party_id:
                query = query.where(
                    (WebhookDelivery.created_at < cursor.created_at)
                    | ((WebhookDelivery.created_at == cursor.created_at) & (WebhookDelivery.id < cursor.id))
                )
        rows = await self.session.scalars(
            query.order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc()).limit(limit)
        )
        return [delivery_out(r) for r in rows]

    async def own_delivery(self, party_id: str, delivery_id: str) -> WebhookDelivery:
        """The party's delivery, or 404."""
        row = await self.session.get(WebhookDelivery, delivery_id)
        if row is None or row.party_id != party_id:
            raise ProblemError(NOT_FOUND, "No such delivery.")
        return row

    async def delivery_detail(self, party_id: str, delivery_id: str) -> DeliveryDetail:
        """A delivery with its attempt log."""
        row = await self.own_delivery(party_id, delivery_id)
        attempts = await self.session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == row.id)
            .order_by(WebhookAttempt.attempt)
        )
        return DeliveryDetail(
            **delivery_out(row).model_dump(),
            attempt_log=[
                AttemptOut(
                    attempt=a.attempt,
                    attempted_at=a.attempted_at,
                    status_code=a.status_code,
                    error=a.error,
                    duration_ms=a.duration_ms,
                )
                for a in attempts
            ],
        )

    async def replay(self, party_id: str, delivery_id: str) -> DeliveryOut:
        """Send again now, with a fresh retry window (a dead delivery comes back to life)."""
        row = await self.own_delivery(party_id, delivery_id)
        if row.status == "pending":
            raise ProblemError(CONFLICT, "The delivery is still being retried.")
        now = utcnow()
        row.status = "pending"
        row.next_attempt_at = now
        row.window_started_at = now
        row.dead_at = None
        return delivery_out(row)
