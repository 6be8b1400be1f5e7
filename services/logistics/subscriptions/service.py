"""Subscriptions: create, list, remove, test-fire — and who hears about a change."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.logistics.shipments.models import Leg, Shipment
from services.logistics.shipments.rules import Viewer, visible
from services.logistics.subscriptions.models import Subscription
from services.logistics.subscriptions.repository import SubscriptionRepository
from services.logistics.subscriptions.schemas import SubscriptionIn
from shared.events.logistics import (
    EtaRange,
    NotificationKind,
    Punctuality,
    SubStatus,
    TrackingEventFacts,
    TrackingNotification,
    TrackingStatus,
)
from shared.identity import Identity
from shared.kit.pagination import PageRequest
from shared.messaging.outbox import EventPublisher
from shared.problems import NOT_FOUND, ProblemError


def _viewer(sub: Subscription) -> Viewer:
    return Viewer(sub.party_id, frozenset(sub.codes), frozenset(sub.roles))


async def create(
    session: AsyncSession, identity: Identity, data: SubscriptionIn, now: dt.datetime
) -> Subscription:
    """A new subscription of the caller (it will hear only about shipments that are its own)."""
    row = Subscription(
        id=str(uuid.uuid4()),
        party_id=identity.party_id,
        scope=data.scope,
        value=data.value.strip() if data.value else None,
        kinds=sorted(set(data.kinds)),
        codes=sorted({c.code for c in identity.codes}),
        roles=sorted(identity.roles),
        status="active",
        created_at=now,
        updated_at=now,
    )
    SubscriptionRepository(session).add(row)
    return row


async def own(session: AsyncSession, identity: Identity, subscription_id: str) -> Subscription:
    """The caller's subscription, or 404 (someone else's is not found either)."""
    row = await SubscriptionRepository(session).get(subscription_id)
    if row is None or row.party_id != identity.party_id:
        raise ProblemError(NOT_FOUND, "No such subscription.")
    return row


async def remove(session: AsyncSession, identity: Identity, subscription_id: str) -> None:
    """Delete the caller's subscription."""
    await own(session, identity, subscription_id)
    await SubscriptionRepository(session).remove(subscription_id)


async def listing(
    session: AsyncSession, identity: Identity, page: PageRequest
) -> tuple[list[Subscription], str | None]:
    """The caller's subscriptions, newest first."""
    repo = SubscriptionRepository(session)
    return await repo.page_of(repo.of_party(identity.party_id), page)


async def test_fire(
    session: AsyncSession,
    publisher: EventPublisher,
    identity: Identity,
    subscription_id: str,
    now: dt.datetime,
) -> str:
    """Publish a test notification to the subscriber's webhooks; returns the event id."""
    sub = await own(session, identity, subscription_id)
    event = await publisher.stage(
        session,
        TrackingNotification(
            party_id=sub.party_id,
            subscription_id=sub.id,
            kind="test",
            test=True,
            shipment_id="test",
            order_no=sub.value if sub.scope == "order_no" else None,
            logistics_no=sub.value if sub.scope == "logistics_no" else None,
            tracking_numbers=[sub.value] if sub.scope == "tracking_number" and sub.value else [],
            status=TrackingStatus.IN_TRANSIT,
            first_in_status=True,
            occurred_at=now,
        ),
        subject=f"subscription:{sub.id}",
    )
    return event.id


def pairs_of(shipment: Shipment, numbers: Iterable[str]) -> list[tuple[str, str]]:
    """The (scope, value) pairs a subscription may name to follow this shipment."""
    pairs = [("tracking_number", n) for n in numbers]
    if shipment.order_no:
        pairs.append(("order_no", shipment.order_no))
    if shipment.logistics_no:
        pairs.append(("logistics_no", shipment.logistics_no))
    return pairs


async def notify(
    session: AsyncSession,
    publisher: EventPublisher,
    shipment: Shipment,
    legs: Sequence[Leg],
    numbers: Sequence[str],
    *,
    kind: NotificationKind,
    status: TrackingStatus,
    sub_status: SubStatus | None,
    first_in_status: bool,
    eta: EtaRange | None,
    punctuality: Punctuality,
    latest_event: TrackingEventFacts | None,
    now: dt.datetime,
    candidates: Sequence[Subscription] | None = None,
) -> int:
    """One notification per subscription that wants this kind of change and may see the shipment.

    ``candidates``: the active subscriptions already read for a batch of shipments (a superset
    of this one's, see :func:`pairs_of`), so a push touching fifty shipments reads them once.
    """
    pairs = pairs_of(shipment, numbers)
    if candidates is None:
        matching = await SubscriptionRepository(session).matching(pairs)
    else:
        wanted = set(pairs)
        matching = [s for s in candidates if s.scope == "all" or (s.scope, s.value) in wanted]
    tracking_numbers = sorted({leg.tracking_number for leg in legs})
    items = []
    for sub in matching:
        if kind not in sub.kinds or not visible(_viewer(sub), shipment, legs):
            continue
        items.append(
            (
                TrackingNotification(
                    party_id=sub.party_id,
                    subscription_id=sub.id,
                    kind=kind,
                    shipment_id=shipment.id,
                    order_no=shipment.order_no,
                    logistics_no=shipment.logistics_no,
                    tracking_numbers=tracking_numbers,
                    status=status,
                    sub_status=sub_status,
                    first_in_status=first_in_status,
                    eta=eta,
                    punctuality=punctuality,
                    latest_event=latest_event,
                    occurred_at=now,
                ),
                shipment.id,
            )
        )
    if items:
        await publisher.stage_many(session, items)
    return len(items)
