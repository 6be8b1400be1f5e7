"""Webhook subscriptions, the admin allow-list, and deliveries as parties see them.

Module functions over the unit of work's session. Every read is scoped by the calling
party: another party's subscription or delivery is "not found", never "forbidden", so
ids cannot be probed.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets

from sqlalchemy.ext.asyncio import AsyncSession

from sdk.webhooks import generate_webhook_secret
from services.gateway.credentials.sealing import SecretSealer
from services.gateway.problems import WEBHOOK_LIMIT, WEBHOOK_URL_REFUSED
from services.gateway.webhooks.models import WebhookAllowEntry, WebhookDelivery, WebhookSubscription
from services.gateway.webhooks.repository import (
    AllowListRepository,
    DeliveryRepository,
    SubscriptionRepository,
)
from services.gateway.webhooks.schemas import (
    AllowEntryIn,
    AllowEntryOut,
    AttemptOut,
    DeliveryDetail,
    DeliveryOut,
    SubscriptionCreated,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionPatch,
)
from services.gateway.webhooks.ssrf import AllowList, DestinationRefused, check_destination, validate_entry
from shared.kit.pagination import Page, PageRequest
from shared.problems import CONFLICT, NOT_FOUND, VALIDATION_FAILED, ProblemError
from shared.sqltypes import utcnow

#: A rotated-out secret keeps signing beside the new one for this long.
ROTATION_OVERLAP_HOURS = 24


def new_id(prefix: str) -> str:
    """A random, non-enumerable id."""
    return prefix + base64.b32encode(secrets.token_bytes(10)).decode().lower()


async def load_allowlist(session: AsyncSession) -> AllowList:
    """The admin allow-list as it is now."""
    return AllowList.from_entries(await AllowListRepository(session).names())


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


def allow_entry_out(row: WebhookAllowEntry) -> AllowEntryOut:
    """Public view."""
    return AllowEntryOut(entry=row.entry, note=row.note, created_by=row.created_by, created_at=row.created_at)


async def _check_url(session: AsyncSession, url: str) -> None:
    try:
        await check_destination(url, await load_allowlist(session))
    except DestinationRefused as exc:
        raise ProblemError(
            WEBHOOK_URL_REFUSED, exc.reason, errors=[{"pointer": "/url", "detail": exc.reason}]
        ) from None


# --------------------------------------------------------------------------- subscriptions


async def subscribe(
    session: AsyncSession, sealer: SecretSealer, party_id: str, data: SubscriptionIn, *, limit: int = 10
) -> SubscriptionCreated:
    """Register a callback URL (checked against SSRF rules now, and again at every send)."""
    await _check_url(session, data.url)
    repo = SubscriptionRepository(session)
    if await repo.count_of(party_id) >= limit:
        raise ProblemError(WEBHOOK_LIMIT, f"At most {limit} subscriptions per party.")
    secret = generate_webhook_secret()
    now = utcnow()
    sub_id = new_id("whs_")
    row = repo.add(
        WebhookSubscription(
            id=sub_id,
            party_id=party_id,
            url=data.url,
            event_types=data.event_types,
            description=data.description,
            sealed_secret=sealer.seal(secret, sub_id),
            status="active",
            created_at=now,
            updated_at=now,
        )
    )
    await repo.flush()
    return SubscriptionCreated(**subscription_out(row).model_dump(), secret=secret)


async def own(session: AsyncSession, party_id: str, subscription_id: str) -> WebhookSubscription:
    """The party's subscription, or 404."""
    row = await SubscriptionRepository(session).get(subscription_id)
    if row is None or row.party_id != party_id:
        raise ProblemError(NOT_FOUND, "No such subscription.")
    return row


async def subscriptions(session: AsyncSession, party_id: str, request: PageRequest) -> Page[SubscriptionOut]:
    """One page of the party's subscriptions, oldest first."""
    rows, next_cursor = await SubscriptionRepository(session).of_party(party_id, request)
    return Page[SubscriptionOut](items=[subscription_out(r) for r in rows], next_cursor=next_cursor)


async def update(
    session: AsyncSession, party_id: str, subscription_id: str, patch: SubscriptionPatch
) -> SubscriptionOut:
    """Change URL (re-checked), event types, description or status."""
    row = await own(session, party_id, subscription_id)
    if patch.url is not None:
        await _check_url(session, patch.url)
        row.url = patch.url
    if patch.event_types is not None:
        row.event_types = patch.event_types
    if patch.description is not None:
        row.description = patch.description
    if patch.status is not None:
        row.status = patch.status
    row.updated_at = utcnow()
    return subscription_out(row)


async def delete(session: AsyncSession, party_id: str, subscription_id: str) -> None:
    """Delete a subscription and its deliveries."""
    await SubscriptionRepository(session).delete(await own(session, party_id, subscription_id))


async def rotate_secret(
    session: AsyncSession, sealer: SecretSealer, party_id: str, subscription_id: str
) -> SubscriptionCreated:
    """A new secret; the old one keeps signing beside it for 24 h (two v1 signatures)."""
    row = await own(session, party_id, subscription_id)
    secret = generate_webhook_secret()
    now = utcnow()
    row.previous_sealed_secret = row.sealed_secret
    row.previous_secret_expires_at = now + dt.timedelta(hours=ROTATION_OVERLAP_HOURS)
    row.sealed_secret = sealer.seal(secret, row.id)
    row.updated_at = now
    return SubscriptionCreated(**subscription_out(row).model_dump(), secret=secret)


# --------------------------------------------------------------------------- deliveries


async def deliveries(
    session: AsyncSession,
    party_id: str,
    request: PageRequest,
    *,
    subscription_id: str | None = None,
    status: str | None = None,
) -> Page[DeliveryOut]:
    """One page of the party's deliveries (of one own subscription), newest first."""
    if subscription_id is not None:
        await own(session, party_id, subscription_id)
    rows, next_cursor = await DeliveryRepository(session).of_party(
        party_id, request, subscription_id=subscription_id, status=status
    )
    return Page[DeliveryOut](items=[delivery_out(r) for r in rows], next_cursor=next_cursor)


async def own_delivery(session: AsyncSession, party_id: str, delivery_id: str) -> WebhookDelivery:
    """The party's delivery, or 404."""
    row = await DeliveryRepository(session).get(delivery_id)
    if row is None or row.party_id != party_id:
        raise ProblemError(NOT_FOUND, "No such delivery.")
    return row


async def delivery_detail(session: AsyncSession, party_id: str, delivery_id: str) -> DeliveryDetail:
    """A delivery with its attempt log."""
    row = await own_delivery(session, party_id, delivery_id)
    attempts = await DeliveryRepository(session).attempts(row.id)
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


async def replay(session: AsyncSession, party_id: str, delivery_id: str) -> DeliveryOut:
    """Send again now, with a fresh retry window (a dead delivery comes back to life)."""
    row = await own_delivery(session, party_id, delivery_id)
    if row.status == "pending":
        raise ProblemError(CONFLICT, "The delivery is still being retried.")
    now = utcnow()
    row.status = "pending"
    row.next_attempt_at = now
    row.window_started_at = now
    row.dead_at = None
    return delivery_out(row)


# --------------------------------------------------------------------------- allow-list (admins)


async def allow_entries(session: AsyncSession, request: PageRequest) -> Page[AllowEntryOut]:
    """One page of the allow-list, by name."""
    rows, next_cursor = await AllowListRepository(session).page_of(request)
    return Page[AllowEntryOut](items=[allow_entry_out(r) for r in rows], next_cursor=next_cursor)


async def every_allow_entry(session: AsyncSession) -> list[AllowEntryOut]:
    """The whole allow-list, by name (the operators' CLI)."""
    return [allow_entry_out(r) for r in await AllowListRepository(session).entries()]


def _valid_entry(raw: str) -> str:
    try:
        return validate_entry(raw)
    except ValueError as exc:
        raise ProblemError(
            VALIDATION_FAILED, str(exc), errors=[{"pointer": "/entry", "detail": str(exc)}]
        ) from None


async def allow(session: AsyncSession, data: AllowEntryIn, actor: str) -> AllowEntryOut:
    """Allow a host name (exact) or a CIDR network; 409 if it is already allowed."""
    entry = _valid_entry(data.entry)
    repo = AllowListRepository(session)
    if await repo.get(entry) is not None:
        raise ProblemError(CONFLICT, "Already allow-listed.")
    return allow_entry_out(
        repo.add(WebhookAllowEntry(entry=entry, note=data.note, created_by=actor, created_at=utcnow()))
    )


async def disallow(session: AsyncSession, entry: str) -> bool:
    """Remove an allow-list entry; False if there was none."""
    repo = AllowListRepository(session)
    row = await repo.get(entry.lower())
    if row is None:
        return False
    await repo.remove(row)
    return True
