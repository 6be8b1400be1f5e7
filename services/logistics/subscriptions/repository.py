"""SQL of subscriptions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, and_, delete, or_, select

from services.logistics.base import table_of
from services.logistics.subscriptions.models import Subscription
from shared.kit.pagination import Keyset, PageRequest
from shared.kit.repository import Repository

KEYSET = Keyset([table_of(Subscription).c.created_at, table_of(Subscription).c.id], ["datetime", "str"])


class SubscriptionRepository(Repository):
    """Reads and writes of subscriptions."""

    async def get(self, subscription_id: str) -> Subscription | None:
        """One subscription."""
        return await self.session.get(Subscription, subscription_id)

    def add(self, row: Subscription) -> None:
        """Stage a new subscription."""
        self.session.add(row)

    async def remove(self, subscription_id: str) -> None:
        """Delete a subscription."""
        await self.session.execute(delete(Subscription).where(Subscription.id == subscription_id))

    async def matching(self, pairs: Iterable[tuple[str, str]]) -> list[Subscription]:
        """Active subscriptions to everything, or to one of these (scope, value) pairs."""
        wanted = sorted(set(pairs))
        conditions: list[Any] = [Subscription.scope == "all"]
        conditions += [
            and_(Subscription.scope == scope, Subscription.value == value) for scope, value in wanted
        ]
        rows = await self.session.scalars(
            select(Subscription)
            .where(Subscription.status == "active", or_(*conditions))
            .order_by(Subscription.id)
        )
        return list(rows.all())

    def of_party(self, party_id: str) -> Select[Any]:
        """A party's subscriptions."""
        return select(Subscription).where(Subscription.party_id == party_id)

    async def page_of(self, stmt: Select[Any], request: PageRequest) -> tuple[list[Subscription], str | None]:
        """One page, newest first."""
        return await self.page(stmt, KEYSET, request, key=lambda s: (s.created_at, s.id))
