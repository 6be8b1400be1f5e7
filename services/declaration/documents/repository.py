"""Every statement on filings, documents and their status history.

Multi-row statements only: a 100-record message costs the same number of round trips
as a one-record message. Status writes are conditional on the status the caller decided
on, since the customs exchange may take a document for customs meanwhile.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, Select, Table, bindparam, func, insert, select, union_all, update

from services.declaration.documents.models import Document, Filing, StatusChange
from shared.kit.pagination import Keyset, PageRequest
from shared.kit.repository import Repository

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

#: List orders: a party's documents newest first; its status changes oldest first (a feed).
NEWEST_FIRST = Keyset([DOCUMENTS.c.seq], ["int"], descending=True)
OLDEST_CHANGE_FIRST = Keyset([STATUS_CHANGES.c.id], ["int"], descending=False)


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


class DocumentRepository(Repository):
    """Filings, documents and status history of the declaration service."""

    # --- filing -------------------------------------------------------------------------------------

    async def add_filing(self, values: Mapping[str, Any]) -> None:
        """Insert one filing."""
        await self.session.execute(insert(FILINGS), [dict(values)])

    async def add_documents(self, rows: Sequence[Mapping[str, Any]]) -> dict[str, int]:
        """Insert documents in one statement; returns ``{id: seq}`` (seq numbers the preNo)."""
        if not rows:
            return {}
        result = await self.session.execute(
            insert(DOCUMENTS).returning(DOCUMENTS.c.id, DOCUMENTS.c.seq, sort_by_parameter_order=True),
            [dict(row) for row in rows],
        )
        return {row.id: row.seq for row in result.all()}

    async def amend(self, document_id: str, values: Mapping[str, Any], now: dt.datetime) -> bool:
        """Rewrite an amended document (revision + 1) if it is still in the pre-check; whether it was."""
        result = await self.session.execute(
            update(DOCUMENTS)
            .where(DOCUMENTS.c.id == document_id, DOCUMENTS.c.status.in_(AMENDABLE))
            .values(**values, revision=DOCUMENTS.c.revision + 1, updated_at=now)
        )
        return cast(CursorResult[Any], result).rowcount == 1

    async def mark_deleted(self, document_ids: Sequence[str], now: dt.datetime) -> int:
        """``deleted`` for the documents still in the pre-check; how many were."""
        if not document_ids:
            return 0
        result = await self.session.execute(
            update(DOCUMENTS)
            .where(DOCUMENTS.c.id.in_(list(document_ids)), DOCUMENTS.c.status.in_(AMENDABLE))
            .values(status=DELETED, updated_at=now)
        )
        return cast(CursorResult[Any], result).rowcount

    async def retire_keys(self, document_ids: Iterable[str]) -> None:
        """Stop documents counting for duplicate checks (number reused, or document deleted)."""
        ids = sorted(set(document_ids))
        if ids:
            await self.session.execute(
                update(DOCUMENTS).where(DOCUMENTS.c.id.in_(ids)).values(dedup_key=None)
            )

    async def filed_for_buyer(self, party_id: str, buyer_hash: str) -> bool:
        """True when ``party_id`` has filed a document for this buyer (an import inventory carries the
        buyer's keyed hash), whatever became of it."""
        found = await self.session.scalar(
            select(_D.id).where(_D.party_id == party_id, _D.buyer_hash == buyer_hash).limit(1)
        )
        return found is not None

    # --- lookups of the filing's checks -------------------------------------------------------------

    async def by_ids(self, ids: Iterable[str]) -> dict[str, Document]:
        """Documents by id."""
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        rows = await self.session.scalars(select(Document).where(Document.id.in_(wanted)))
        return {doc.id: doc for doc in rows}

    async def holding_keys(self, keys: Iterable[str]) -> list[DocumentRow]:
        """Documents currently holding any of these duplicate keys (one query)."""
        wanted = sorted(set(keys))
        if not wanted:
            return []
        return list((await self.session.execute(_BY_KEYS, {"keys": wanted})).all())

    async def keys_and_partners(
        self,
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
        return _distinct((await self.session.execute(_KEYS_AND_PARTNERS, params)).all())

    async def partner_candidates(
        self, direction: str, order_refs: Iterable[str], waybill_refs: Iterable[str]
    ) -> list[DocumentRow]:
        """Live orders, payments and waybills of a direction with any of these keys (one query)."""
        orders, waybills = sorted(set(order_refs)), sorted(set(waybill_refs))
        if not orders and not waybills:
            return []
        rows = await self.session.execute(
            _PARTNERS, {"direction": direction, "orders": orders, "waybills": waybills}
        )
        return _distinct(rows.all())

    async def inventories_referencing(
        self, direction: str, order_refs: Iterable[str], waybill_refs: Iterable[str]
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
        rows = await self.session.execute(_REFERENCING[(bool(orders), bool(waybills))], params)
        return _distinct(rows.all())

    async def first_inventory_naming(self, direction: str, column: str, ref: str) -> dt.datetime | None:
        """When the first live inventory naming this order or waybill key (``column``) was accepted.

        ``column`` is ``order_ref`` (orders and payments) or ``waybill_ref``; the query uses the
        (direction, kind, ref) index.
        """
        ref_column = _D.order_ref if column == "order_ref" else _D.waybill_ref
        first = await self.session.scalar(
            select(func.min(_D.accepted_at)).where(
                _D.direction == direction,
                _D.kind == "inventory",
                ref_column == ref,
                _D.status != DELETED,
            )
        )
        return cast(dt.datetime | None, first)

    # --- status changes -----------------------------------------------------------------------------

    async def move(
        self, document_ids: Sequence[str], previous: str | None, values: Mapping[str, Any]
    ) -> list[str]:
        """Write ``values`` on the documents still in ``previous``; the ids that were."""
        condition = DOCUMENTS.c.status == previous if previous is not None else DOCUMENTS.c.status.is_(None)
        result = await self.session.execute(
            update(DOCUMENTS)
            .where(DOCUMENTS.c.id.in_(list(document_ids)), condition)
            .values(**values)
            .returning(DOCUMENTS.c.id)
        )
        return list(result.scalars().all())

    async def set_statuses(self, by_status: Mapping[str, Sequence[str]], now: dt.datetime) -> None:
        """Set each status on its documents, unconditionally (one statement per status)."""
        for status, ids in by_status.items():
            if ids:
                await self.session.execute(
                    update(DOCUMENTS)
                    .where(DOCUMENTS.c.id.in_(list(ids)))
                    .values(status=status, updated_at=now)
                )

    async def teach_modes(
        self, document_ids: Iterable[str], mode: str, now: dt.datetime | None = None
    ) -> None:
        """Give documents that have no supervision mode yet the one their inventory declared."""
        ids = sorted(set(document_ids))
        if not ids:
            return
        values: dict[str, Any] = {"mode": mode}
        if now is not None:
            values["updated_at"] = now
        await self.session.execute(
            update(DOCUMENTS).where(DOCUMENTS.c.id.in_(ids), DOCUMENTS.c.mode.is_(None)).values(**values)
        )

    async def add_status_changes(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Append to the status history (one statement; the rows go as parameters, so the
        statement compiles once, however many rows)."""
        if rows:
            await self.session.execute(insert(STATUS_CHANGES), [dict(row) for row in rows])

    # --- reading back -------------------------------------------------------------------------------

    async def get(self, document_id: str) -> Document | None:
        """One document."""
        return await self.session.scalar(select(Document).where(Document.id == document_id))

    async def filing(self, filing_id: str) -> Filing | None:
        """One filing."""
        return await self.session.scalar(select(Filing).where(Filing.id == filing_id))

    async def history(self, document_id: str) -> list[StatusChange]:
        """A document's status changes, oldest first."""
        rows = await self.session.scalars(
            select(StatusChange).where(StatusChange.document_id == document_id).order_by(StatusChange.id)
        )
        return list(rows)

    async def page_of_party(
        self, party_id: str, filters: Mapping[str, str | None], request: PageRequest
    ) -> tuple[list[Document], str | None]:
        """A page of a party's documents, newest first, equal to every given filter (a column each)."""
        query = select(Document).where(Document.party_id == party_id)
        for name, value in filters.items():
            if value is not None:
                query = query.where(DOCUMENTS.c[name] == value)
        return await self.page(query, NEWEST_FIRST, request, key=lambda doc: (doc.seq,))

    async def changes_page(self, party_id: str, request: PageRequest) -> tuple[list[Any], str | None]:
        """A page of a party's status changes, oldest first, with their documents' names."""
        query = cast(
            Select[Any],
            select(
                StatusChange, Document.kind, Document.message_type, Document.business_no, Document.direction
            )
            .join(Document, Document.id == StatusChange.document_id)
            .where(StatusChange.party_id == party_id),
        )
        return await self.page(
            query, OLDEST_CHANGE_FIRST, request, key=lambda row: (row[0].id,), scalars=False
        )
