"""Queries on filings and documents. Multi-row statements only: a 100-record message
costs the same number of round trips as a one-record message."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Table, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.declaration.documents.models import Document, Filing, StatusChange

FILINGS: Table = Filing.__table__  # type: ignore[assignment]
DOCUMENTS: Table = Document.__table__  # type: ignore[assignment]
STATUS_CHANGES: Table = StatusChange.__table__  # type: ignore[assignment]

#: Statuses in which a document is still the platform's own (nothing sent to customs).
AMENDABLE = frozenset({"accepted", "waiting", "matched", "mismatched"})
#: Inventory statuses a partner's arrival or change can still move.
REMATCHABLE = ("waiting", "mismatched", "matched")
DELETED = "deleted"


async def add_filing(session: AsyncSession, values: dict[str, Any]) -> None:
    """Insert one filing."""
    await session.execute(insert(FILINGS), [values])


async def add_documents(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Insert documents in one statement; returns ``{id: seq}`` (seq numbers the preNo)."""
    if not rows:
        return {}
    result = await session.execute(
        insert(DOCUMENTS).returning(DOCUMENTS.c.id, DOCUMENTS.c.seq, sort_by_parameter_order=True), list(rows)
    )
    return {row.id: row.seq for row in result.all()}


async def add_status_changes(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Append to the status history (one statement)."""
    if rows:
        await session.execute(insert(STATUS_CHANGES), list(rows))


async def by_ids(session: AsyncSession, ids: Iterable[str]) -> dict[str, Document]:
    """Documents by id."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await session.scalars(select(Document).where(Document.id.in_(wanted)))
    return {doc.id: doc for doc in rows}


async def partner_candidates(
    session: AsyncSession, direction: str, order_refs: Iterable[str], waybill_refs: Iterable[str]
) -> list[Document]:
    """Live orders, payments and waybills of a direction with any of these keys (one query)."""
    orders, waybills = sorted(set(order_refs)), sorted(set(waybill_refs))
    conditions = []
    if orders:
        conditions.append(Document.kind.in_(("order", "payment")) & Document.order_ref.in_(orders))
    if waybills:
        conditions.append((Document.kind == "waybill") & Document.waybill_ref.in_(waybills))
    if not conditions:
        return []
    rows = await session.scalars(
        select(Document)
        .where(Document.direction == direction, Document.status != DELETED, or_(*conditions))
        .order_by(Document.seq)
    )
    return list(rows)


async def inventories_referencing(
    session: AsyncSession, direction: str, order_refs: Iterable[str], waybill_refs: Iterable[str]
) -> list[Document]:
    """Inventories still in the pre-check that name any of these order or waybill keys."""
    orders, waybills = sorted(set(order_refs)), sorted(set(waybill_refs))
    conditions = []
    if orders:
        conditions.append(Document.order_ref.in_(orders))
    if waybills:
        conditions.append(Document.waybill_ref.in_(waybills))
    if not conditions:
        return []
    rows = await session.scalars(
        select(Document)
        .where(
            Document.direction == direction,
            Document.kind == "inventory",
            Document.status.in_(REMATCHABLE),
            or_(*conditions),
        )
        .order_by(Document.seq)
    )
    return list(rows)
