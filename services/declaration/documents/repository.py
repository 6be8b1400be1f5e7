"""Queries on filings and documents. Multi-row statements only: a 100-record message
costs the same number of round trips as a one-record message."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from services.declaration.documents.models import Document, Filing, StatusChange

FILINGS: Table = Filing.__table__  # type: ignore[assignment]
DOCUMENTS: Table = Document.__table__  # type: ignore[assignment]
STATUS_CHANGES: Table = StatusChange.__table__  # type: ignore[assignment]

#: A stored document as the hot paths read it: a Core row (attribute access by column
#: name, like the ORM class, without the identity map's cost and staleness).
DocumentRow = Any

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
    """Append to the status history (one statement; the rows go as parameters, so the
    statement compiles once, however many rows)."""
    if rows:
        await session.execute(insert(STATUS_CHANGES), list(rows))


async def by_ids(session: AsyncSession, ids: Iterable[str]) -> dict[str, Document]:
    """Documents by id."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await session.scalars(select(Document).where(Document.id.in_(wanted)))
    return {doc.id: doc for doc in rows}


# Prebuilt once with expanding parameters. Each lookup is a UNION ALL of simple
# equality selects, one per index: the prepared statements get generic plans after a
# few executions, and a generic plan of one select with ORs across different indexes
# may fall back to scanning the table (7 ms a filing on 40,000 documents); each simple
# branch keeps its index scan whatever the values.
_D = DOCUMENTS.c
_BY_KEYS = select(DOCUMENTS).where(_D.dedup_key.in_(bindparam("keys", expanding=True)))
_ORDER_PARTNERS = select(DOCUMENTS).where(
    _D.direction == bindparam("direction"),
    _D.kind.in_(("order", "payment")),
    _D.order_ref.in_(bindparam("orders", expanding=True)),
    _D.status != DELETED,
)
_WAYBILL_PARTNERS = select(DOCUMENTS).where(
    _D.direction == bindparam("direction"),
    _D.kind == "waybill",
    _D.waybill_ref.in_(bindparam("waybills", expanding=True)),
    _D.status != DELETED,
)
_PARTNERS = union_all(_ORDER_PARTNERS, _WAYBILL_PARTNERS)
_KEYS_AND_PARTNERS = union_all(_BY_KEYS, _ORDER_PARTNERS, _WAYBILL_PARTNERS)


def _referencing(column: Any, parameter: str) -> Any:
    return select(DOCUMENTS).where(
        _D.direction == bindparam("direction"),
        _D.kind == "inventory",
        column.in_(bindparam(parameter, expanding=True)),
        _D.status.in_(REMATCHABLE),
    )


_REFERENCING = {
    (True, False): _referencing(_D.order_ref, "orders"),
    (False, True): _referencing(_D.waybill_ref, "waybills"),
    (True, True): union_all(_referencing(_D.order_ref, "orders"), _referencing(_D.waybill_ref, "waybills")),
}


def _distinct(rows: Iterable[DocumentRow]) -> list[DocumentRow]:
    """Rows in document order, each once (a row may satisfy two branches of a UNION ALL)."""
    seen: dict[str, DocumentRow] = {}
    for row in rows:
        seen.setdefault(row.id, row)
    return sorted(seen.values(), key=lambda row: row.seq)


def is_partner_of(row: DocumentRow, direction: str, order_refs: set[str], waybill_refs: set[str]) -> bool:
    """The Python side of the partner condition (for rows fetched by :func:`keys_and_partners`)."""
    if row.direction != direction or row.status == DELETED:
        return False
    if row.kind in ("order", "payment"):
        return row.order_ref in order_refs
    return row.kind == "waybill" and row.waybill_ref in waybill_refs


async def partner_candidates(
    session: AsyncSession, direction: str, order_refs: Iterable[str], waybill_refs: Iterable[str]
) -> list[DocumentRow]:
    """Live orders, payments and waybills of a direction with any of these keys (one query)."""
    orders, waybills = sorted(set(order_refs)), sorted(set(waybill_refs))
    if not orders and not waybills:
        return []
    rows = await session.execute(_PARTNERS, {"direction": direction, "orders": orders, "waybills": waybills})
    return _distinct(rows.all())


async def keys_and_partners(
    session: AsyncSession,
    keys: Iterable[str],
    direction: str,
    order_refs: Iterable[str],
    waybill_refs: Iterable[str],
) -> list[DocumentRow]:
    """Documents holding any of ``keys`` plus the live partners with these order/waybill keys (one query).

    Filing an inventory needs both — its duplicates and its three-document partners —
    so they come in one round trip.
    """
    params = {
        "keys": sorted(set(keys)),
        "direction": direction,
        "orders": sorted(set(order_refs)),
        "waybills": sorted(set(waybill_refs)),
    }
    return _distinct((await session.execute(_KEYS_AND_PARTNERS, params)).all())


async def inventories_referencing(
    session: AsyncSession, direction: str, order_refs: Iterable[str], waybill_refs: Iterable[str]
) -> list[DocumentRow]:
    """Inventories still in the pre-check that name any of these order or waybill keys."""
    orders, waybills = sorted(set(order_refs)), sorted(set(waybill_refs))
    if not orders and not waybills:
        return []
    params: dict[str, Any] = {"direction": direction}
    if orders:
        params["orders"] = orders
    if waybills:
        params["waybills"] = waybills
    rows = await session.execute(_REFERENCING[(bool(orders), bool(waybills))], params)
    return _distinct(rows.all())
