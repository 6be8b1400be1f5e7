"""Every SQL statement over the party registry mirror and first activity."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, select, text, update

from services.stats.base import table_of
from services.stats.facts.models import Fact
from services.stats.parties.models import FirstActivity, PartyMirror
from shared.kit.repository import Repository

_FIRST_ACTIVITY = """
    INSERT INTO stats_party_first_activity (party_id, first_day, first_month, district, park)
    SELECT party_id, business_day, MONTH, district, park FROM (
        SELECT party_id, business_day, district, park,
               ROW_NUMBER() OVER (PARTITION BY party_id ORDER BY business_day, document_id) AS n
        FROM stats_facts WHERE counted
    ) AS ranked WHERE n = 1
"""


class PartyRepository(Repository):
    """The registry mirror (from the gateway's events) and each party's first counted day."""

    async def keep(self, row: dict[str, Any]) -> None:
        """Insert or replace a party's registry entry."""
        await self.upsert(table_of(PartyMirror), row, ("party_id",))

    async def status_at(self, party_id: str) -> Any:
        """``(status_at,)`` of a registered party, or None."""
        stmt = select(PartyMirror.status_at).where(PartyMirror.party_id == party_id)
        return (await self.session.execute(stmt)).first()

    async def set_status(self, party_id: str, status: str, at: dt.datetime) -> None:
        """A party's status and when it changed."""
        await self.session.execute(
            update(PartyMirror).where(PartyMirror.party_id == party_id).values(status=status, status_at=at)
        )

    async def registry(self) -> dict[str, PartyMirror]:
        """Every registry entry by party id."""
        return {r.party_id: r for r in (await self.session.scalars(select(PartyMirror))).all()}

    async def names(self, party_ids: Iterable[str]) -> dict[str, str]:
        """Registered names of the given parties."""
        ids = list(set(party_ids))
        if not ids:
            return {}
        stmt = select(PartyMirror.party_id, PartyMirror.name).where(PartyMirror.party_id.in_(ids))
        return {r.party_id: r.name for r in await self.session.execute(stmt)}

    async def registered_by(self, day: dt.date) -> Sequence[Any]:
        """``(roles, status, registered_day)`` of every party registered by ``day``."""
        stmt = select(PartyMirror.roles, PartyMirror.status, PartyMirror.registered_day).where(
            PartyMirror.registered_day <= day
        )
        return (await self.session.execute(stmt)).all()

    async def first_activities(self) -> dict[str, FirstActivity]:
        """Every party's first activity by party id."""
        return {r.party_id: r for r in (await self.session.scalars(select(FirstActivity))).all()}

    async def first_place(self, party_id: str, day: dt.date) -> Any:
        """``(district, park)`` of the party's first counted fact on ``day`` (lowest document id)."""
        stmt = (
            select(Fact.district, Fact.park)
            .where(Fact.party_id == party_id, Fact.counted, Fact.business_day == day)
            .order_by(Fact.document_id)
            .limit(1)
        )
        return (await self.session.execute(stmt)).one()

    async def keep_first_activity(self, row: dict[str, Any]) -> None:
        """Insert or replace a party's first activity."""
        await self.upsert(table_of(FirstActivity), row, ("party_id",))

    async def forget_first_activity(self, party_id: str) -> None:
        """The party has no counted trade (any more)."""
        await self.session.execute(delete(FirstActivity).where(FirstActivity.party_id == party_id))

    async def rebuild_first_activity(self) -> None:
        """Every party's first counted day, and its district and park on its first fact, from the facts."""
        await self.session.execute(delete(FirstActivity))
        month = (
            "date_trunc('month', business_day)::date"
            if self.dialect == "postgresql"
            else "date(business_day, 'start of month')"
        )
        # MONTH is replaced by one of the two fixed SQL expressions above; no input reaches the text.
        await self.session.execute(text(_FIRST_ACTIVITY.replace("MONTH", month)))
