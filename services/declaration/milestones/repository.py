"""Every statement of the milestone filings (choices, milestones, the waybill facts they complete from)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select

from services.declaration.documents.models import Document
from services.declaration.documents.repository import DELETED
from services.declaration.milestones.models import MilestoneFilingChoice, TrackMilestone
from shared.kit.pagination import Keyset, PageRequest
from shared.kit.repository import Repository
from shared.models import table_of

_NEWEST = Keyset(
    [table_of(TrackMilestone).c.created_at, table_of(TrackMilestone).c.milestone_id], ["datetime", "str"]
)
#: Documents whose heads complete a milestone: the waybill (name) and the inventory (office, conveyance).
_FACT_TYPES = ("CEB505", "CEB511", "CEB603", "CEB621")


class MilestoneRepository(Repository):
    """Choices and milestones, in the unit of work's session."""

    async def choice_of(self, party_id: str) -> MilestoneFilingChoice | None:
        """The firm's choice row, or None when it never chose."""
        return await self.session.get(MilestoneFilingChoice, party_id)

    async def store_choice(self, party_id: str, settings: dict[str, str], at: dt.datetime) -> None:
        """Replace the firm's choice."""
        await self.upsert(
            table_of(MilestoneFilingChoice),
            [{"party_id": party_id, "settings": settings, "updated_at": at}],
            ("party_id",),
        )

    async def add(self, values: dict[str, Any]) -> bool:
        """Store a new milestone; False when one with its id is already stored (a repeat)."""
        return await self.insert_ignore(table_of(TrackMilestone), [values]) == 1

    async def forget(self, milestone_id: str) -> None:
        """Remove a withdrawn milestone, so it can be prepared afresh."""
        await self.session.execute(delete(TrackMilestone).where(TrackMilestone.milestone_id == milestone_id))

    async def get(self, milestone_id: str) -> TrackMilestone | None:
        """One milestone."""
        return await self.session.get(TrackMilestone, milestone_id)

    async def locked(self, milestone_ids: Iterable[str]) -> list[TrackMilestone]:
        """The milestones, rows locked (PostgreSQL) in id order so two releases never deadlock."""
        wanted = sorted(set(milestone_ids))
        if not wanted:
            return []
        rows = await self.session.scalars(
            select(TrackMilestone)
            .where(TrackMilestone.milestone_id.in_(wanted))
            .order_by(TrackMilestone.milestone_id)
            .with_for_update()
        )
        return list(rows)

    async def by_record_keys(self, message_type: str, keys: Iterable[str]) -> dict[str, list[TrackMilestone]]:
        """``{record key: milestones}`` for the records a released message names (rows locked)."""
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        rows = await self.session.scalars(
            select(TrackMilestone)
            .where(TrackMilestone.message_type == message_type, TrackMilestone.record_key.in_(wanted))
            .order_by(TrackMilestone.milestone_id)
            .with_for_update()
        )
        found: dict[str, list[TrackMilestone]] = {}
        for row in rows:
            found.setdefault(row.record_key, []).append(row)
        return found

    async def page_of_party(
        self, party_id: str, request: PageRequest, *, status: str | None, message_type: str | None
    ) -> tuple[list[TrackMilestone], str | None]:
        """One page of the firm's milestones, newest first."""
        query = select(TrackMilestone).where(TrackMilestone.party_id == party_id)
        if status:
            query = query.where(TrackMilestone.status == status)
        if message_type:
            query = query.where(TrackMilestone.message_type == message_type)
        return await self.page(query, _NEWEST, request, key=lambda m: (m.created_at, m.milestone_id))

    async def waybill_heads(self, logistics_code: str, logistics_no: str) -> dict[str, dict[str, Any]]:
        """The newest live head per message type among the waybill's and its inventory's documents."""
        rows = await self.session.execute(
            select(Document.message_type, Document.body)
            .where(
                Document.waybill_ref == f"{logistics_code}|{logistics_no}",
                Document.message_type.in_(_FACT_TYPES),
                Document.status != DELETED,
            )
            .order_by(Document.seq.desc())
        )
        heads: dict[str, dict[str, Any]] = {}
        for message_type, body in rows.all():
            heads.setdefault(message_type, dict((body or {}).get("head") or {}))
        return heads
