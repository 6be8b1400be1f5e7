"""Milestone events consumed: the firm's choice (gateway) and the track's milestones (logistics).

The handlers need the started service's publisher and context; :func:`handlers_for` binds
them through a holder the start-up hook fills, so each app (tests start many in one
process) has its own.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.declaration.context import DeclarationContext
from services.declaration.milestones import service
from shared.events import CloudEvent
from shared.events.gateway import MilestoneFilingSet
from shared.events.logistics import CustomsMilestoneReached, CustomsMilestoneWithdrawn
from shared.messaging.consumer import EventHandlers
from shared.messaging.outbox import EventPublisher
from shared.messaging.topics import events_topic
from shared.sqltypes import utcnow

CONSUMER = "declaration-milestones"
TOPICS = [events_topic("gateway"), events_topic("logistics")]


class Bound:
    """The started service's publisher and context."""

    def __init__(self) -> None:
        self.publisher: EventPublisher | None = None
        self.ctx: DeclarationContext | None = None

    def parts(self) -> tuple[EventPublisher, DeclarationContext]:
        """Publisher and context (the consumer starts after the start-up hooks, so both are set)."""
        assert self.publisher is not None and self.ctx is not None, "bound at start-up"
        return self.publisher, self.ctx


def handlers_for(bound: Bound) -> EventHandlers:
    """The consumer's handlers, bound to ``bound``."""
    handlers = EventHandlers()

    @handlers.on(MilestoneFilingSet)
    async def remember_choice(session: AsyncSession, _event: CloudEvent, data: MilestoneFilingSet) -> None:
        await service.remember_choice(session, data)

    @handlers.on(CustomsMilestoneReached)
    async def file_milestone(
        session: AsyncSession, _event: CloudEvent, data: CustomsMilestoneReached
    ) -> None:
        publisher, ctx = bound.parts()
        await service.on_reached(session, publisher, ctx, data, utcnow())

    @handlers.on(CustomsMilestoneWithdrawn)
    async def withdraw_milestone(
        session: AsyncSession, _event: CloudEvent, data: CustomsMilestoneWithdrawn
    ) -> None:
        await service.on_withdrawn(session, data, utcnow())

    return handlers
