"""SQL of tracking events, the statuses a shipment has seen, and its milestones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, func, select, update

from services.logistics.base import table_of
from services.logistics.tracking.models import CustomsMilestoneRow, StatusSeen, TrackingEvent
from shared.kit import sql
from shared.kit.pagination import Keyset, PageRequest
from shared.kit.repository import Repository

EVENTS = table_of(TrackingEvent)
TIMELINE_KEYSET = Keyset([EVENTS.c.occurred_at, EVENTS.c.seq], ["datetime", "int"], descending=False)


class TrackingRepository(Repository):
    """Reads and writes of tracking events."""

    async def insert_new(self, rows: Sequence[dict[str, Any]]) -> set[str]:
        """Insert the events not stored yet (by deduplication key); the keys that were new."""
        if not rows:
            return set()
        new = await sql.insert_ignore_returning(
            self.session, EVENTS, rows, EVENTS.c.dedup_key, conflict=("dedup_key",)
        )
        return set(new)

    async def ids_by_dedup(self, keys: Iterable[str]) -> dict[str, tuple[str, str | None, str | None]]:
        """dedup key → (event id, shipment id, leg id) of stored events."""
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        rows = await self.session.execute(
            select(
                TrackingEvent.dedup_key, TrackingEvent.id, TrackingEvent.shipment_id, TrackingEvent.leg_id
            ).where(TrackingEvent.dedup_key.in_(wanted))
        )
        return {key: (eid, sid, lid) for key, eid, sid, lid in rows.all()}

    async def of_shipments(self, shipment_ids: Iterable[str]) -> dict[str, list[TrackingEvent]]:
        """Every event of these shipments, by shipment."""
        wanted = sorted(set(shipment_ids))
        found: dict[str, list[TrackingEvent]] = {sid: [] for sid in wanted}
        if not wanted:
            return found
        rows = await self.session.scalars(
            select(TrackingEvent).where(TrackingEvent.shipment_id.in_(wanted)).order_by(TrackingEvent.seq)
        )
        for event in rows:
            assert event.shipment_id is not None
            found[event.shipment_id].append(event)
        return found

    async def orphans(self, numbers: Iterable[str]) -> list[TrackingEvent]:
        """Events kept for these numbers while no leg had them."""
        wanted = sorted(set(numbers))
        if not wanted:
            return []
        return list(
            (
                await self.session.scalars(
                    select(TrackingEvent)
                    .where(TrackingEvent.tracking_number.in_(wanted), TrackingEvent.leg_id.is_(None))
                    .order_by(TrackingEvent.seq)
                )
            ).all()
        )

    async def orphan_numbers(self, limit: int) -> list[str]:
        """Numbers that still have events without a leg (for the periodic attachment sweep)."""
        rows = await self.session.scalars(
            select(TrackingEvent.tracking_number)
            .where(TrackingEvent.leg_id.is_(None))
            .group_by(TrackingEvent.tracking_number)
            .limit(limit)
        )
        return list(rows.all())

    async def attach(self, event_ids: Sequence[str], shipment_id: str, leg_id: str) -> None:
        """Give kept events their leg (the one change an event row ever sees)."""
        if event_ids:
            await self.session.execute(
                update(TrackingEvent)
                .where(TrackingEvent.id.in_(list(event_ids)), TrackingEvent.leg_id.is_(None))
                .values(shipment_id=shipment_id, leg_id=leg_id)
            )

    def timeline(self, shipment_id: str, leg_ids: Sequence[str] | None) -> Select[Any]:
        """A shipment's events in time order (only those of ``leg_ids`` when given)."""
        stmt = select(TrackingEvent).where(TrackingEvent.shipment_id == shipment_id)
        if leg_ids is not None:
            stmt = stmt.where(TrackingEvent.leg_id.in_(list(leg_ids) or [""]))
        return stmt

    async def timeline_page(
        self, stmt: Select[Any], request: PageRequest
    ) -> tuple[list[TrackingEvent], str | None]:
        """One page of a timeline."""
        return await self.page(stmt, TIMELINE_KEYSET, request, key=lambda e: (e.occurred_at, e.seq))

    async def retracted(self, shipment_id: str) -> set[str]:
        """The ids (ours or the senders') a shipment's events retract."""
        rows = await self.session.scalars(
            select(TrackingEvent.retracts).where(
                TrackingEvent.shipment_id == shipment_id, TrackingEvent.retracts.is_not(None)
            )
        )
        return {row for row in rows.all() if row}

    async def first_times(self, reached: Sequence[tuple[str, str, dt.datetime]]) -> set[str]:
        """Record (shipment, status, when) for many shipments at once; the shipments seeing it first."""
        rows = [{"shipment_id": sid, "status": status, "first_at": at} for sid, status, at in reached]
        new = await sql.insert_ignore_returning(
            self.session,
            table_of(StatusSeen),
            rows,
            table_of(StatusSeen).c.shipment_id,
            conflict=("shipment_id", "status"),
        )
        return set(new)

    async def milestones(self, shipment_ids: Iterable[str]) -> dict[str, dict[str, CustomsMilestoneRow]]:
        """shipment id → milestone → its row."""
        wanted = sorted(set(shipment_ids))
        found: dict[str, dict[str, CustomsMilestoneRow]] = {sid: {} for sid in wanted}
        if not wanted:
            return found
        rows = await self.session.scalars(
            select(CustomsMilestoneRow).where(CustomsMilestoneRow.shipment_id.in_(wanted))
        )
        for row in rows:
            found[row.shipment_id][row.milestone] = row
        return found

    async def save_milestone(self, row: dict[str, Any]) -> None:
        """Insert or update a milestone."""
        await self.upsert(table_of(CustomsMilestoneRow), row, ("id",))

    async def unmapped_codes(self, limit: int = 200) -> list[tuple[str, str | None, int]]:
        """Sources and raw codes stored with the fallback status, most frequent first."""
        count = func.count().label("n")
        rows = await self.session.execute(
            select(TrackingEvent.source, TrackingEvent.raw_code, count)
            .where(TrackingEvent.mapped.is_(False))
            .group_by(TrackingEvent.source, TrackingEvent.raw_code)
            .order_by(count.desc(), TrackingEvent.source, TrackingEvent.raw_code)
            .limit(limit)
        )
        return [(source, code, int(n)) for source, code, n in rows.all()]
