"""Every SQL statement over the platform's own figures: API traffic and accepted documents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select

from services.stats.base import table_of
from services.stats.platform.models import AcceptedDocument, AcceptedDocumentsDay, ApiTrafficHour
from shared.kit.repository import Repository
from shared.kit.sql import greatest


class PlatformRepository(Repository):
    """API traffic per party-hour and the accepted-document volume."""

    async def keep_traffic(self, row: dict[str, Any]) -> None:
        """One party-hour of calls; a re-count of the same hour keeps the larger figures."""
        table = table_of(ApiTrafficHour)
        await self.upsert(
            table,
            row,
            ("party_id", "hour_start"),
            replace=(),
            set_=lambda new: {
                "calls": greatest(self.session, table.c.calls, new.calls),
                "errors": greatest(self.session, table.c.errors, new.errors),
            },
        )

    async def count_accepted(self, row: dict[str, Any]) -> None:
        """Count a document once (its first acceptance) in its day's volume."""
        if await self.insert_ignore(table_of(AcceptedDocument), row):
            await self.upsert(
                table_of(AcceptedDocumentsDay),
                [{k: row[k] for k in ("day", "document_kind", "mode", "direction")} | {"documents": 1}],
                ("day", "document_kind", "mode", "direction"),
                replace=(),
                add=("documents",),
            )

    async def traffic_total(self, first: dt.date, last: dt.date) -> tuple[int, int]:
        """(calls, errors) over the days."""
        stmt = select(
            func.coalesce(func.sum(ApiTrafficHour.calls), 0),
            func.coalesce(func.sum(ApiTrafficHour.errors), 0),
        ).where(ApiTrafficHour.day >= first, ApiTrafficHour.day <= last)
        calls, errors = (await self.session.execute(stmt)).one()
        return int(calls), int(errors)

    async def traffic_by_day(self, first: dt.date, last: dt.date) -> Sequence[Any]:
        """``(day, calls, errors)`` per day."""
        stmt = (
            select(ApiTrafficHour.day, func.sum(ApiTrafficHour.calls), func.sum(ApiTrafficHour.errors))
            .where(ApiTrafficHour.day >= first, ApiTrafficHour.day <= last)
            .group_by(ApiTrafficHour.day)
        )
        return (await self.session.execute(stmt)).all()

    async def accepted_by_kind(self, first: dt.date, last: dt.date) -> Sequence[Any]:
        """``(document kind, documents)`` accepted over the days, by kind."""
        stmt = (
            select(AcceptedDocumentsDay.document_kind, func.sum(AcceptedDocumentsDay.documents))
            .where(AcceptedDocumentsDay.day >= first, AcceptedDocumentsDay.day <= last)
            .group_by(AcceptedDocumentsDay.document_kind)
            .order_by(AcceptedDocumentsDay.document_kind)
        )
        return (await self.session.execute(stmt)).all()

    async def accepted_by_day(self, first: dt.date, last: dt.date) -> Sequence[Any]:
        """``(day, documents)`` accepted per day."""
        stmt = (
            select(AcceptedDocumentsDay.day, func.sum(AcceptedDocumentsDay.documents))
            .where(AcceptedDocumentsDay.day >= first, AcceptedDocumentsDay.day <= last)
            .group_by(AcceptedDocumentsDay.day)
        )
        return (await self.session.execute(stmt)).all()
