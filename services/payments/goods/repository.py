"""SQL of the goods projection."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, select

from services.payments.base import table_of
from services.payments.goods.models import CustomsStatusRow, GoodsDocument, GoodsLineRow, TrackingRow
from shared.kit.repository import Repository


class GoodsRepository(Repository):
    """Every statement of the goods module."""

    async def document(self, document_id: str) -> GoodsDocument | None:
        """One document."""
        return await self.session.get(GoodsDocument, document_id)

    async def save_document(self, row: dict[str, Any], *, keep: Sequence[str] = ()) -> None:
        """Insert or update a document; columns in ``keep`` are not overwritten on update."""
        replace = [c for c in row if c != "document_id" and c not in keep]
        await self.upsert(table_of(GoodsDocument), row, ("document_id",), replace=replace)

    async def add_status(self, row: dict[str, Any]) -> bool:
        """Record a status event once (by event id); True if new."""
        return await self.insert_ignore(table_of(CustomsStatusRow), row) == 1

    async def replace_lines(self, document_id: str, rows: list[dict[str, Any]]) -> None:
        """The document's lines become ``rows``."""
        await self.session.execute(delete(GoodsLineRow).where(GoodsLineRow.document_id == document_id))
        if rows:
            await self.session.execute(table_of(GoodsLineRow).insert(), rows)

    async def lines(self, document_ids: Iterable[str]) -> dict[str, list[GoodsLineRow]]:
        """Lines of each document, by gnum."""
        ids = sorted(set(document_ids))
        if not ids:
            return {}
        rows = await self.session.scalars(
            select(GoodsLineRow).where(GoodsLineRow.document_id.in_(ids)).order_by(GoodsLineRow.gnum)
        )
        found: dict[str, list[GoodsLineRow]] = {}
        for row in rows:
            found.setdefault(row.document_id, []).append(row)
        return found

    async def statuses(self, document_ids: Iterable[str]) -> dict[str, list[CustomsStatusRow]]:
        """Status events of each document, in time order."""
        ids = sorted(set(document_ids))
        if not ids:
            return {}
        rows = await self.session.scalars(
            select(CustomsStatusRow)
            .where(CustomsStatusRow.document_id.in_(ids))
            .order_by(CustomsStatusRow.occurred_at, CustomsStatusRow.event_id)
        )
        found: dict[str, list[CustomsStatusRow]] = {}
        for row in rows:
            found.setdefault(row.document_id, []).append(row)
        return found

    async def documents_of(
        self,
        codes: Sequence[str],
        party_id: str,
        *,
        kinds: Sequence[str] | None = None,
        direction: str | None = None,
        order_nos: Sequence[str] | None = None,
        logistics_nos: Sequence[str] | None = None,
    ) -> list[GoodsDocument]:
        """An enterprise's documents: filed by it, or naming one of its codes as ``ebcCode``."""
        stmt = select(GoodsDocument).where(
            (GoodsDocument.party_id == party_id) | GoodsDocument.ebc_code.in_(list(codes) or [""])
        )
        if kinds:
            stmt = stmt.where(GoodsDocument.kind.in_(list(kinds)))
        if direction:
            stmt = stmt.where(GoodsDocument.direction == direction)
        if order_nos is not None:
            stmt = stmt.where(GoodsDocument.order_no.in_(list(order_nos) or [""]))
        if logistics_nos is not None:
            stmt = stmt.where(GoodsDocument.logistics_no.in_(list(logistics_nos) or [""]))
        rows = await self.session.scalars(stmt.order_by(GoodsDocument.document_id))
        return list(rows)

    async def by_logistics_no(self, logistics_nos: Sequence[str]) -> list[GoodsDocument]:
        """Documents (waybills, inventories) carrying these waybill numbers."""
        if not logistics_nos:
            return []
        rows = await self.session.scalars(
            select(GoodsDocument).where(GoodsDocument.logistics_no.in_(list(logistics_nos)))
        )
        return list(rows)

    async def add_tracking(self, row: dict[str, Any]) -> bool:
        """Record a tracking change once (by event id)."""
        return await self.insert_ignore(table_of(TrackingRow), row) == 1

    async def tracking(self, logistics_nos: Sequence[str]) -> list[TrackingRow]:
        """Tracking changes of these waybills, in time order."""
        if not logistics_nos:
            return []
        rows = await self.session.scalars(
            select(TrackingRow)
            .where(TrackingRow.logistics_no.in_(list(logistics_nos)))
            .order_by(TrackingRow.occurred_at, TrackingRow.event_id)
        )
        return list(rows)
