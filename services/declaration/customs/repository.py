"""Every statement of the exchange with customs, by what it is about.

* :class:`OutboxRepository` — documents ready for customs, the customs outbox (staged,
  handed over, marked), the sends the simulator's state is replayed from;
* :class:`CustomsStateRepository` — each document's customs side (state, numbers,
  targets, summaries) as the intake checks, the summaries and the views read it;
* :class:`ReceiptRepository` — receipts as received, their entries, tax bills and
  summary results as a batch of receipts writes them;
* :class:`SnapshotRepository` — the embedded simulator's snapshots.

Multi-row statements where a pass handles many rows; one simple indexed select per kind
of key rather than an OR across indexes (which may scan).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table, bindparam, delete, func, insert, select, update

from services.declaration.customs.models import (
    CustomsDocument,
    CustomsOutboundMessage,
    CustomsReceipt,
    CustomsReceiptEntry,
    CustomsSummaryLine,
    CustomsSummaryResult,
    CustomsTaxBill,
    SimulatorSnapshot,
    SummaryReminder,
)
from services.declaration.documents.models import Document, Filing
from services.declaration.documents.repository import DOCUMENTS
from shared.kit.repository import Repository

OUTBOX: Table = CustomsOutboundMessage.__table__  # type: ignore[assignment]
CUSTOMS_DOCUMENTS: Table = CustomsDocument.__table__  # type: ignore[assignment]
RECEIPTS: Table = CustomsReceipt.__table__  # type: ignore[assignment]
ENTRIES: Table = CustomsReceiptEntry.__table__  # type: ignore[assignment]
TAX_BILLS: Table = CustomsTaxBill.__table__  # type: ignore[assignment]
SUMMARY_RESULTS: Table = CustomsSummaryResult.__table__  # type: ignore[assignment]
SUMMARY_LINES: Table = CustomsSummaryLine.__table__  # type: ignore[assignment]

#: Document statuses ready for customs.
READY = ("accepted", "matched")
PENDING, SENT_ROW, FAILED = "pending", "sent", "failed"
INVENTORY_TYPES = ("CEB621", "CEB603")
RETURN_TYPES = ("CEB625", "CEB213")

#: Columns of a customs document that :meth:`OutboxRepository.customs_documents_update` rewrites.
CUSTOMS_STATE_COLUMNS = (
    "state_code",
    "state_since",
    "pre_no",
    "invt_no",
    "sum_no",
    "entry_id",
    "released_at",
    "closed_at",
    "legal",
)
_CUSTOMS_UPDATE = (
    update(CUSTOMS_DOCUMENTS)
    .where(CUSTOMS_DOCUMENTS.c.document_id == bindparam("b_id"))
    .values(
        **{name: bindparam(f"b_{name}") for name in CUSTOMS_STATE_COLUMNS},
        updated_at=bindparam("b_updated_at"),
    )
)


class OutboxRepository(Repository):
    """Documents on their way to customs and the customs outbox."""

    # --- staging ------------------------------------------------------------------------------------

    async def ready_documents(self, limit: int) -> list[Any]:
        """Documents ready for customs, oldest first (status index)."""
        rows = await self.session.execute(
            select(DOCUMENTS).where(DOCUMENTS.c.status.in_(READY)).order_by(DOCUMENTS.c.seq).limit(limit)
        )
        return list(rows.all())

    async def filings(self, ids: Iterable[str]) -> dict[str, Filing]:
        """Filings by id."""
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        rows = await self.session.scalars(select(Filing).where(Filing.id.in_(wanted)))
        return {filing.id: filing for filing in rows}

    async def claim(self, document_ids: Sequence[str], status: str, now: dt.datetime) -> dict[str, int]:
        """Move the documents still ready to ``status``; ``{id: revision}`` of those that were."""
        claimed = await self.session.execute(
            update(DOCUMENTS)
            .where(DOCUMENTS.c.id.in_(list(document_ids)), DOCUMENTS.c.status.in_(READY))
            .values(status=status, updated_at=now)
            .returning(DOCUMENTS.c.id, DOCUMENTS.c.revision)
        )
        return {row.id: row.revision for row in claimed.all()}

    async def add_message(self, values: Mapping[str, Any]) -> int:
        """Store one outbound message; its row id."""
        result = await self.session.execute(insert(OUTBOX).returning(OUTBOX.c.id), [dict(values)])
        return int(result.scalar_one())

    async def add_customs_documents(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """The customs side of documents entering the exchange (one statement)."""
        if rows:
            await self.session.execute(insert(CUSTOMS_DOCUMENTS), [dict(row) for row in rows])

    async def set_summary(self, inventory_id: str, summary_id: str, now: dt.datetime) -> None:
        """Record which summary holds an inventory."""
        await self.session.execute(
            update(CUSTOMS_DOCUMENTS)
            .where(CUSTOMS_DOCUMENTS.c.document_id == inventory_id)
            .values(summary_id=summary_id, updated_at=now)
        )

    # --- handing over -------------------------------------------------------------------------------

    async def highest_send_seq(self) -> int:
        """The last send sequence number used (0 before the first send)."""
        return int(await self.session.scalar(select(func.coalesce(func.max(OUTBOX.c.send_seq), 0))) or 0)

    async def pending(self, limit: int) -> list[Any]:
        """Pending outbox rows in creation order (id, message, payload)."""
        rows = await self.session.execute(
            select(
                OUTBOX.c.id,
                OUTBOX.c.message_id,
                OUTBOX.c.message_type,
                OUTBOX.c.document_ids,
                OUTBOX.c.payload_key_id,
                OUTBOX.c.payload_cipher,
                OUTBOX.c.payload_sha256,
            )
            .where(OUTBOX.c.status == PENDING)
            .order_by(OUTBOX.c.id)
            .limit(limit)
        )
        return list(rows.all())

    async def mark_sent(self, sent: Sequence[tuple[int, int]], now: dt.datetime) -> None:
        """``(row id, send seq)`` rows handed over at ``now``."""
        if sent:
            await self.session.execute(
                update(OUTBOX)
                .where(OUTBOX.c.id == bindparam("row_id"))
                .values(
                    status=SENT_ROW, sent_at=now, send_seq=bindparam("seq"), attempts=OUTBOX.c.attempts + 1
                ),
                [{"row_id": row_id, "seq": seq} for row_id, seq in sent],
            )

    async def mark_failed(self, row_id: int, reason: str) -> None:
        """A row that must never be sent (its stored content is broken)."""
        await self.session.execute(
            update(OUTBOX).where(OUTBOX.c.id == row_id).values(status=FAILED, last_error=reason[:2000])
        )

    async def note_attempt(self, row_id: int, error: str) -> None:
        """A hand-over the transport refused for now."""
        await self.session.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id == row_id)
            .values(attempts=OUTBOX.c.attempts + 1, last_error=error[:2000])
        )

    # --- reading back -------------------------------------------------------------------------------

    async def by_message_id(self, message_id: str) -> CustomsOutboundMessage | None:
        """An outbound message by its envelope id."""
        return await self.session.scalar(
            select(CustomsOutboundMessage).where(CustomsOutboundMessage.message_id == message_id)
        )

    async def by_id(self, row_id: int | None) -> CustomsOutboundMessage | None:
        """An outbound message by row id."""
        if row_id is None:
            return None
        return await self.session.scalar(
            select(CustomsOutboundMessage).where(CustomsOutboundMessage.id == row_id)
        )

    async def sends_after(self, send_seq: int, limit: int) -> list[Any]:
        """Messages handed over after ``send_seq``, in order (what the simulator received)."""
        rows = await self.session.execute(
            select(
                CustomsOutboundMessage.send_seq,
                CustomsOutboundMessage.message_id,
                CustomsOutboundMessage.payload_key_id,
                CustomsOutboundMessage.payload_cipher,
                CustomsOutboundMessage.sent_at,
            )
            .where(CustomsOutboundMessage.send_seq > send_seq)
            .order_by(CustomsOutboundMessage.send_seq)
            .limit(limit)
        )
        return list(rows.all())

    async def pending_count(self) -> int:
        """How many messages wait to be handed over."""
        return int(
            await self.session.scalar(
                select(func.count()).select_from(OUTBOX).where(OUTBOX.c.status == PENDING)
            )
            or 0
        )


class CustomsStateRepository(Repository):
    """The customs side of documents, as the checks, summaries and views read it."""

    async def known_inventories(self, invt_nos: Iterable[str]) -> list[tuple[CustomsDocument, Document]]:
        """Inventories with these customs numbers, oldest sent first (a later one wins a number)."""
        wanted = sorted(set(invt_nos))
        if not wanted:
            return []
        rows = await self.session.execute(
            select(CustomsDocument, Document)
            .join(Document, Document.id == CustomsDocument.document_id)
            .where(CustomsDocument.invt_no.in_(wanted), CustomsDocument.message_type.in_(INVENTORY_TYPES))
            .order_by(CustomsDocument.sent_at)
        )
        return [(customs, document) for customs, document in rows.all()]

    async def returns_of(
        self, inventory_ids: Iterable[str], alive_only_outside: Iterable[str]
    ) -> list[tuple[str, str, dict[str, Any]]]:
        """``(inventory id, return id, body)`` of the returns naming these inventories, except those
        whose customs state is one of ``alive_only_outside`` (dead returns hold nothing)."""
        ids = sorted(set(inventory_ids))
        if not ids:
            return []
        rows = await self.session.execute(
            select(CustomsDocument.target_id, CustomsDocument.document_id, Document.body)
            .join(Document, Document.id == CustomsDocument.document_id)
            .where(
                CustomsDocument.target_id.in_(ids),
                CustomsDocument.message_type.in_(RETURN_TYPES),
                CustomsDocument.state_code.not_in(list(alive_only_outside)),
            )
        )
        return [(str(target), str(document_id), body) for target, document_id, body in rows.all()]

    async def summary_holders(self, inventory_ids: Iterable[str]) -> dict[str, str]:
        """Inventory id → the summary document that names it."""
        ids = sorted(set(inventory_ids))
        if not ids:
            return {}
        rows = await self.session.execute(
            select(CustomsDocument.document_id, CustomsDocument.summary_id).where(
                CustomsDocument.document_id.in_(ids), CustomsDocument.summary_id.is_not(None)
            )
        )
        return {doc: str(summary) for doc, summary in rows.all()}

    async def in_states(self, document_ids: Iterable[str], states: Iterable[str]) -> set[str]:
        """The documents among ``document_ids`` whose customs state is one of ``states``."""
        ids = sorted(set(document_ids))
        if not ids:
            return set()
        rows = await self.session.execute(
            select(CustomsDocument.document_id).where(
                CustomsDocument.document_id.in_(ids), CustomsDocument.state_code.in_(list(states))
            )
        )
        return set(rows.scalars().all())

    async def month_inventories(
        self, by_closure: bool, start: dt.datetime, end: dt.datetime, party_id: str | None
    ) -> list[tuple[CustomsDocument, dict[str, Any], str | None]]:
        """Released or closed export inventories of ``[start, end)`` (closure or release time), by invtNo."""
        column = CustomsDocument.closed_at if by_closure else CustomsDocument.released_at
        query = (
            select(CustomsDocument, Document.body, Document.mode)
            .join(Document, Document.id == CustomsDocument.document_id)
            .where(
                CustomsDocument.direction == "export",
                CustomsDocument.kind == "export_inventory",
                CustomsDocument.invt_no.is_not(None),
                column >= start,
                column < end,
                CustomsDocument.state_code.in_(("800", "899")),
            )
            .order_by(CustomsDocument.invt_no)
        )
        if party_id is not None:
            query = query.where(CustomsDocument.party_id == party_id)
        return [(customs, body, mode) for customs, body, mode in (await self.session.execute(query)).all()]

    async def summary_lines_of(self, inventory_ids: Iterable[str]) -> list[CustomsSummaryLine]:
        """CEB792 lines naming these inventories."""
        ids = sorted(set(inventory_ids))
        if not ids:
            return []
        return list(
            await self.session.scalars(
                select(CustomsSummaryLine).where(CustomsSummaryLine.inventory_id.in_(ids))
            )
        )

    async def of_document(self, document_id: str) -> CustomsDocument | None:
        """A document's customs side (None before it went to customs)."""
        return await self.session.scalar(
            select(CustomsDocument).where(CustomsDocument.document_id == document_id)
        )

    async def tax_bills_of(self, document_id: str) -> list[CustomsTaxBill]:
        """The tax bills customs sent for an inventory."""
        return list(
            await self.session.scalars(
                select(CustomsTaxBill).where(CustomsTaxBill.document_id == document_id)
            )
        )

    async def entries_of(self, document_id: str) -> list[CustomsReceiptEntry]:
        """The receipt entries of a document, in arrival order."""
        return list(
            await self.session.scalars(
                select(CustomsReceiptEntry)
                .where(CustomsReceiptEntry.document_id == document_id)
                .order_by(CustomsReceiptEntry.id)
            )
        )

    async def reminders_given(self, keys: Iterable[str]) -> set[str]:
        """The reminder keys among ``keys`` already given."""
        wanted = sorted(set(keys))
        if not wanted:
            return set()
        rows = await self.session.scalars(
            select(SummaryReminder.reminder_key).where(SummaryReminder.reminder_key.in_(wanted))
        )
        return set(rows.all())

    async def add_reminders(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Reminders given now."""
        if rows:
            await self.session.execute(insert(SummaryReminder), [dict(row) for row in rows])


class ReceiptRepository(Repository):
    """Receipts as received, what each record did, and the tax bills and summary results they carry."""

    async def known_digests(self, digests: Iterable[str]) -> set[str]:
        """The content hashes among ``digests`` already stored."""
        wanted = sorted(set(digests))
        if not wanted:
            return set()
        return set(
            (await self.session.scalars(select(RECEIPTS.c.sha256).where(RECEIPTS.c.sha256.in_(wanted)))).all()
        )

    async def with_status(self, status: str, limit: int) -> list[Any]:
        """Stored receipts in ``status``, oldest first."""
        rows = await self.session.execute(
            select(RECEIPTS).where(RECEIPTS.c.status == status).order_by(RECEIPTS.c.id).limit(limit)
        )
        return list(rows.all())

    async def applied_records(self, receipt_ids: Iterable[int]) -> dict[int, set[int]]:
        """Per receipt, the record indexes that have an entry already."""
        done: dict[int, set[int]] = defaultdict(set)
        ids = sorted(set(receipt_ids))
        if ids:
            rows = await self.session.execute(
                select(ENTRIES.c.receipt_id, ENTRIES.c.record_index).where(ENTRIES.c.receipt_id.in_(ids))
            )
            for receipt_id, index in rows.all():
                done[receipt_id].add(index)
        return done

    async def documents_of_messages(self, message_ids: Iterable[str]) -> dict[str, list[str]]:
        """Outbound message id → the documents it carried."""
        wanted = sorted(set(message_ids))
        if not wanted:
            return {}
        found = await self.session.execute(
            select(OUTBOX.c.message_id, OUTBOX.c.document_ids).where(OUTBOX.c.message_id.in_(wanted))
        )
        return {message_id: list(ids) for message_id, ids in found.all()}

    async def customs_rows(
        self,
        *,
        keys: Iterable[str] = (),
        invt_nos: Iterable[str] = (),
        sum_nos: Iterable[str] = (),
        document_ids: Iterable[str] = (),
    ) -> list[dict[str, Any]]:
        """Customs documents by receipt key, inventory number, summary number or id (one select each)."""
        c = CUSTOMS_DOCUMENTS.c
        conditions: list[ColumnElement[bool]] = []
        if wanted := sorted(set(keys)):
            conditions.append(c.customs_key.in_(wanted))
        if wanted := sorted(set(invt_nos)):
            conditions.append(c.invt_no.in_(wanted) & c.message_type.in_(INVENTORY_TYPES))
        if wanted := sorted(set(sum_nos)):
            conditions.append(c.sum_no.in_(wanted))
        if wanted := sorted(set(document_ids)):
            conditions.append(c.document_id.in_(wanted))
        found: list[dict[str, Any]] = []
        for condition in conditions:
            rows = await self.session.execute(select(CUSTOMS_DOCUMENTS).where(condition))
            found += [dict(row) for row in rows.mappings().all()]
        return found

    async def document_facts(self, ids: Sequence[str], columns: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Document rows (these columns) by id."""
        if not ids:
            return {}
        rows = await self.session.execute(
            select(*(DOCUMENTS.c[name] for name in columns)).where(DOCUMENTS.c.id.in_(list(ids)))
        )
        return {row["id"]: dict(row) for row in rows.mappings().all()}

    async def bodies(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Stored records (no personal fields) by document id."""
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        rows = await self.session.execute(
            select(DOCUMENTS.c.id, DOCUMENTS.c.body).where(DOCUMENTS.c.id.in_(wanted))
        )
        return {doc_id: body for doc_id, body in rows.all()}

    async def history(self, ids: Sequence[str]) -> list[Any]:
        """Every document-track entry of these documents, in arrival order."""
        if not ids:
            return []
        rows = await self.session.execute(
            select(
                ENTRIES.c.document_id,
                ENTRIES.c.message_type,
                ENTRIES.c.return_status,
                ENTRIES.c.return_time,
                ENTRIES.c.return_info,
                ENTRIES.c.code,
                ENTRIES.c.outcome,
                ENTRIES.c.state_after,
                ENTRIES.c.legal,
            )
            .where(ENTRIES.c.document_id.in_(list(ids)), ENTRIES.c.track == "document")
            .order_by(ENTRIES.c.id)
        )
        return list(rows.all())

    async def add_receipts(self, rows: Sequence[Mapping[str, Any]]) -> list[int]:
        """Store receipts; their row ids, in order."""
        inserted = await self.session.execute(
            insert(RECEIPTS).returning(RECEIPTS.c.id, sort_by_parameter_order=True),
            [dict(row) for row in rows],
        )
        return [int(i) for i in inserted.scalars().all()]

    async def set_status(
        self, receipt_id: int | None, status: str, problem: str | None, applied_at: dt.datetime | None
    ) -> None:
        """What a retried receipt did now."""
        await self.session.execute(
            update(RECEIPTS)
            .where(RECEIPTS.c.id == receipt_id)
            .values(status=status, problem=problem, applied_at=applied_at)
        )

    async def add_entries(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Receipt entries (one statement)."""
        if rows:
            await self.session.execute(insert(ENTRIES), [dict(row) for row in rows])

    async def update_customs_documents(self, rows: Sequence[Mapping[str, Any]], now: dt.datetime) -> None:
        """Rewrite the customs state columns of documents (one statement, a row each)."""
        if rows:
            await self.session.execute(
                _CUSTOMS_UPDATE,
                [
                    {
                        "b_id": row["document_id"],
                        **{f"b_{name}": row.get(name) for name in CUSTOMS_STATE_COLUMNS},
                        "b_updated_at": now,
                    }
                    for row in rows
                ],
            )

    async def accepted_return_bodies(
        self, inventory_id: str, message_type: str, state: str
    ) -> list[dict[str, Any]]:
        """The records of an inventory's returns of ``message_type`` that customs brought to ``state``."""
        c = CUSTOMS_DOCUMENTS.c
        rows = await self.session.execute(
            select(DOCUMENTS.c.body)
            .join(CUSTOMS_DOCUMENTS, c.document_id == DOCUMENTS.c.id)
            .where(c.target_id == inventory_id, c.message_type == message_type, c.state_code == state)
        )
        return [body for (body,) in rows.all()]

    async def tax_bills(self, tax_nos: Iterable[str]) -> dict[str, Any]:
        """Stored tax bills by taxNo."""
        wanted = sorted(set(tax_nos))
        if not wanted:
            return {}
        rows = await self.session.execute(select(TAX_BILLS).where(TAX_BILLS.c.tax_no.in_(wanted)))
        return {row.tax_no: row for row in rows.all()}

    async def update_tax_bill(self, tax_no: str, values: Mapping[str, Any]) -> None:
        """Rewrite a tax bill."""
        await self.session.execute(update(TAX_BILLS).where(TAX_BILLS.c.tax_no == tax_no).values(**values))

    async def add_tax_bills(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """New tax bills (one statement)."""
        if rows:
            await self.session.execute(insert(TAX_BILLS), [dict(row) for row in rows])

    async def has_summary_result(self, receipt_id: int) -> bool:
        """Whether a CEB792 receipt's result is stored already."""
        found = await self.session.scalar(
            select(SUMMARY_RESULTS.c.id).where(SUMMARY_RESULTS.c.receipt_id == receipt_id)
        )
        return found is not None

    async def add_summary_result(self, values: Mapping[str, Any]) -> int:
        """Store a CEB792 result; its id."""
        result_id = await self.session.scalar(
            insert(SUMMARY_RESULTS).values(**values).returning(SUMMARY_RESULTS.c.id)
        )
        return int(result_id or 0)

    async def export_inventories_by_number(self, invt_nos: Iterable[str]) -> dict[str, str]:
        """invtNo → document id of export inventories."""
        wanted = sorted(set(invt_nos))
        if not wanted:
            return {}
        rows = await self.session.execute(
            select(CUSTOMS_DOCUMENTS.c.invt_no, CUSTOMS_DOCUMENTS.c.document_id).where(
                CUSTOMS_DOCUMENTS.c.invt_no.in_(wanted), CUSTOMS_DOCUMENTS.c.message_type == "CEB603"
            )
        )
        return {invt_no: document_id for invt_no, document_id in rows.all()}

    async def add_summary_lines(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """CEB792 lines (one statement)."""
        if rows:
            await self.session.execute(insert(SUMMARY_LINES), [dict(row) for row in rows])

    async def set_entry_id(self, document_ids: Iterable[str], entry_id: str, now: dt.datetime) -> None:
        """The customs declaration number of summarised inventories."""
        ids = sorted(set(document_ids))
        if ids:
            await self.session.execute(
                update(CUSTOMS_DOCUMENTS)
                .where(CUSTOMS_DOCUMENTS.c.document_id.in_(ids))
                .values(entry_id=entry_id, updated_at=now)
            )

    async def get(self, receipt_id: int) -> CustomsReceipt | None:
        """A stored receipt."""
        return await self.session.scalar(select(CustomsReceipt).where(CustomsReceipt.id == receipt_id))

    async def concerns_party(self, receipt_id: int, party_id: str) -> bool:
        """Whether a receipt has an entry for one of the party's documents."""
        found = await self.session.scalar(
            select(CustomsReceiptEntry.id)
            .where(CustomsReceiptEntry.receipt_id == receipt_id, CustomsReceiptEntry.party_id == party_id)
            .limit(1)
        )
        return found is not None

    async def transport_ids_after(self, receipt_id: int, transport: str) -> list[str]:
        """Transport ids of the receipts stored after ``receipt_id`` from ``transport``, in order."""
        ids = await self.session.scalars(
            select(CustomsReceipt.transport_id)
            .where(CustomsReceipt.id > receipt_id, CustomsReceipt.transport == transport)
            .order_by(CustomsReceipt.id)
        )
        return list(ids.all())


class SnapshotRepository(Repository):
    """Snapshots of the embedded simulator's state."""

    async def latest(self) -> SimulatorSnapshot | None:
        """The newest snapshot."""
        return await self.session.scalar(
            select(SimulatorSnapshot).order_by(SimulatorSnapshot.id.desc()).limit(1)
        )

    async def watermarks(self) -> tuple[int, int]:
        """The last send sequence number and receipt id (what a snapshot taken now covers)."""
        send_seq = await self.session.scalar(
            select(func.coalesce(func.max(CustomsOutboundMessage.send_seq), 0))
        )
        receipt_id = await self.session.scalar(select(func.coalesce(func.max(CustomsReceipt.id), 0)))
        return int(send_seq or 0), int(receipt_id or 0)

    async def reserve(
        self, send_seq: int, receipt_id: int, config: Mapping[str, Any], now: dt.datetime
    ) -> int:
        """A new, still empty snapshot row (its id binds the sealed state); the id."""
        row_id = await self.session.scalar(
            insert(SimulatorSnapshot)
            .values(
                send_seq=send_seq,
                receipt_id=receipt_id,
                config=dict(config),
                state_key_id="",
                state_cipher=b"",
                created_at=now,
            )
            .returning(SimulatorSnapshot.id)
        )
        return int(row_id or 0)

    async def fill(self, row_id: int, key_id: str, cipher: bytes) -> None:
        """The sealed state of a reserved snapshot."""
        await self.session.execute(
            update(SimulatorSnapshot)
            .where(SimulatorSnapshot.id == row_id)
            .values(state_key_id=key_id, state_cipher=cipher)
        )

    async def drop_before(self, row_id: int) -> None:
        """Older snapshots (the replay starts from the newest)."""
        await self.session.execute(delete(SimulatorSnapshot).where(SimulatorSnapshot.id < row_id))


__all__ = [
    "CUSTOMS_DOCUMENTS",
    "OUTBOX",
    "READY",
    "CustomsStateRepository",
    "OutboxRepository",
    "ReceiptRepository",
    "SnapshotRepository",
]
