"""SQL of webhooks: subscriptions, deliveries and their attempts, the admin allow-list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select, update

from services.gateway.webhooks.models import (
    WebhookAllowEntry,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from shared.kit.pagination import Keyset, PageRequest
from shared.kit.repository import ModelRepository, Repository
from shared.models import table_of

#: Subscriptions in the order they were made.
OLDEST_FIRST = Keyset([WebhookSubscription.created_at, WebhookSubscription.id], ["datetime", "str"], False)
#: Allow-list entries by name.
BY_ENTRY = Keyset([WebhookAllowEntry.entry], ["str"], False)
#: Deliveries, newest first.
NEWEST_FIRST = Keyset([WebhookDelivery.created_at, WebhookDelivery.id], ["datetime", "str"])


class SubscriptionRepository(ModelRepository[WebhookSubscription]):
    """``webhook_subscriptions``."""

    model = WebhookSubscription

    async def count_of(self, party_id: str) -> int:
        """How many subscriptions the party has."""
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(WebhookSubscription)
                .where(WebhookSubscription.party_id == party_id)
            )
            or 0
        )

    async def of_party(
        self, party_id: str, request: PageRequest
    ) -> tuple[list[WebhookSubscription], str | None]:
        """One page of the party's subscriptions, oldest first."""
        query = select(WebhookSubscription).where(WebhookSubscription.party_id == party_id)
        return await self.page(query, OLDEST_FIRST, request, key=lambda s: (s.created_at, s.id))

    async def active_of(self, party_ids: Iterable[str]) -> list[WebhookSubscription]:
        """The active subscriptions of these parties."""
        rows = await self.session.scalars(
            select(WebhookSubscription).where(
                WebhookSubscription.party_id.in_(list(party_ids)), WebhookSubscription.status == "active"
            )
        )
        return list(rows.all())

    async def delete(self, row: WebhookSubscription) -> None:
        """Delete a subscription (its deliveries and attempts go with it: ON DELETE CASCADE)."""
        await self.session.delete(row)


class DeliveryRepository(ModelRepository[WebhookDelivery]):
    """``webhook_deliveries`` and ``webhook_attempts``."""

    model = WebhookDelivery

    async def create_once(self, row: dict[str, Any]) -> None:
        """Insert a delivery unless this subscription already has one for the event."""
        await self.insert_ignore(table_of(WebhookDelivery), row)

    async def of_party(
        self,
        party_id: str,
        request: PageRequest,
        *,
        subscription_id: str | None = None,
        status: str | None = None,
    ) -> tuple[list[WebhookDelivery], str | None]:
        """One page of the party's deliveries (of one subscription, in one status), newest first."""
        query = select(WebhookDelivery).where(WebhookDelivery.party_id == party_id)
        if subscription_id is not None:
            query = query.where(WebhookDelivery.subscription_id == subscription_id)
        if status is not None:
            query = query.where(WebhookDelivery.status == status)
        return await self.page(query, NEWEST_FIRST, request, key=lambda d: (d.created_at, d.id))

    async def attempts(self, delivery_id: str) -> list[WebhookAttempt]:
        """A delivery's attempt log, in order."""
        rows = await self.session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery_id)
            .order_by(WebhookAttempt.attempt)
        )
        return list(rows.all())

    def add_attempt(self, attempt: WebhookAttempt) -> None:
        """Stage one attempt's log row."""
        self.session.add(attempt)

    async def claim_due(self, now: dt.datetime, lease_until: dt.datetime, limit: int) -> list[str]:
        """Ids of up to ``limit`` pending deliveries due at ``now``, leased until ``lease_until``.

        The lease (``next_attempt_at`` pushed forward) keeps other replicas off these rows
        while they are sent; SKIP LOCKED lets replicas claim different rows concurrently.
        """
        ids = list(
            (
                await self.session.scalars(
                    select(WebhookDelivery.id)
                    .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
                    .order_by(WebhookDelivery.next_attempt_at)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            ).all()
        )
        if ids:
            await self.session.execute(
                update(WebhookDelivery).where(WebhookDelivery.id.in_(ids)).values(next_attempt_at=lease_until)
            )
        return ids


class AllowListRepository(Repository):
    """``webhook_allowlist``: hosts and networks webhooks may reach although not public."""

    async def entries(self) -> list[WebhookAllowEntry]:
        """Every entry, by name."""
        return list(
            (await self.session.scalars(select(WebhookAllowEntry).order_by(WebhookAllowEntry.entry))).all()
        )

    async def page_of(self, request: PageRequest) -> tuple[list[WebhookAllowEntry], str | None]:
        """One page of the entries, by name."""
        return await self.page(select(WebhookAllowEntry), BY_ENTRY, request, key=lambda e: (e.entry,))

    async def names(self) -> list[str]:
        """Every entry's host or network."""
        return list((await self.session.scalars(select(WebhookAllowEntry.entry))).all())

    async def get(self, entry: str) -> WebhookAllowEntry | None:
        """One entry, or None."""
        return await self.session.get(WebhookAllowEntry, entry)

    def add(self, row: WebhookAllowEntry) -> WebhookAllowEntry:
        """Stage a new entry."""
        self.session.add(row)
        return row

    async def remove(self, row: WebhookAllowEntry) -> None:
        """Delete an entry."""
        await self.session.delete(row)
