"""Customs receipts: stored as received, resolved to documents, applied through the lifecycle.

A batch of receipt messages is applied in one transaction:

1. **Once per content.** A receipt whose SHA-256 is already stored is a re-delivery
   (a crash after commit and before the transport's acknowledgement, a client that
   writes a file twice): it is acknowledged and changes nothing.
2. **Parsed** with the hardened parser and the official XSD (the transport already
   unwrapped DxpMsg/DxpMsgSv), one :class:`~..ceb.receipt_events.ReceiptEvent` per record.
   An unreadable receipt is kept (``invalid``, with the reason) and acknowledged.
3. **Resolved** to the document each record is about: by the declaration's key fields
   (``CEB622`` → ``CEB621|copNo|agentCode``, the latest document sent with that key),
   CEB900 by ``oriCopMsgId`` (every document of that outbound message), CEB816/818 by
   ``invtNo`` (the inventory; the bill is its own lifecycle), CEB792 by ``sumNo`` (the
   summary parts). A record whose document is not known yet (``invtNo``/``sumNo`` learnt
   from a receipt still to come) leaves its receipt ``unresolved``; those are retried
   after later passes, so no receipt is lost to arrival order.
4. **Applied** per document with :func:`~.core.lifecycle.apply` against its state and
   full history: a stale receipt never moves a document back, a duplicate changes
   nothing, and every receipt is kept as a ``customs_receipt_entries`` row with what it
   did. Each change updates the document's status (the lifecycle's name: ``released``,
   ``closed`` …), appends to ``document_status_changes`` and stages a
   ``DocumentStatusChanged`` event with ``occurred_at`` = the receipt's ``returnTime``
   (customs time, so statistics count the day customs acted) and ``customs_status``.
5. **Consequences** (:mod:`.effects`): customs numbers learnt (preNo, invtNo, sumNo),
   release and closure times, an approved cancellation cancels its inventory, a customs
   exit or cancellation gives the import buyer's quota back, an accepted return gives
   back its part and emits ``InventoryReturned``, tax bills and summary results stored
   and linked.

Events never carry ``returnInfo`` (free text from customs) — only codes and names.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.declaration.ceb.catalogue import Role, spec_for
from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.ceb.model import CebMessage
from services.declaration.ceb.receipt_events import RETURN_STATUS_TEXT, ReceiptEvent, events_from_message
from services.declaration.ceb.xml_codec import decode_xml
from services.declaration.context import DeclarationContext
from services.declaration.customs import effects
from services.declaration.customs.core import lifecycle as customs_lifecycle
from services.declaration.customs.core.envelope import unwrap
from services.declaration.customs.core.lifecycle import (
    CANCELLED,
    SENT,
    DocumentKind,
    DocumentState,
    HistoryEntry,
    Outcome,
)
from services.declaration.customs.core.transports import InboundReceipt
from services.declaration.customs.references import add_returned
from services.declaration.customs.repository import ReceiptRepository
from services.declaration.documents import lifecycle
from services.declaration.documents.repository import DocumentRepository
from services.declaration.personal_data.vault import Sealed
from services.declaration.quota import service as quota
from shared.events.envelope import EventData
from shared.messaging.outbox import EventPublisher

log = logging.getLogger("ddt.declaration.customs")

APPLIED, UNRESOLVED, INVALID = "applied", "unresolved", "invalid"
#: Inventory states after which an import buyer's quota is given back (nothing was bought).
QUOTA_RETURNING = frozenset({"100", "refused", "format_rejected", "700", CANCELLED})
#: When customs accepts a return: each kind's final success state.
RETURN_ACCEPTED = {DocumentKind.IMPORT_RETURN: "399", DocumentKind.EXPORT_RETURN: "800"}
_RETURN_KINDS = frozenset(kind.value for kind in RETURN_ACCEPTED)
_FACT_COLUMNS = (
    "id", "kind", "message_type", "party_id", "mode", "direction", "business_no", "ebc_code", "ebp_code",
    "currency", "value", "value_cny", "cny_rate", "country", "chapters", "district", "park",
    "order_ref", "waybill_ref",
)  # fmt: skip


@dataclass
class Tracked:
    """A document while a batch is applied: its customs row, its document row and its history."""

    customs: dict[str, Any]
    document: dict[str, Any]
    history: list[HistoryEntry]
    status: str
    """The document's current platform status (moves with each applied receipt)."""
    dirty: bool = False

    @property
    def id(self) -> str:
        return str(self.customs["document_id"])

    @property
    def state(self) -> DocumentState:
        c = self.customs
        return DocumentState(
            DocumentKind(c["kind"]), c["state_code"], c["state_since"], c["attempt"], c["attempt_started"]
        )

    def set_state(self, state: DocumentState, now: dt.datetime) -> None:
        self.customs.update(state_code=state.code, state_since=state.since, updated_at=now)
        self.dirty = True


@dataclass
class Parsed:
    """A receipt message as understood: the decoded message and its events (or why not)."""

    receipt: InboundReceipt
    message: CebMessage | None
    events: list[ReceiptEvent]
    problem: str | None = None
    row_id: int | None = None
    skip: frozenset[int] = frozenset()
    """Record indexes already applied (a retried unresolved receipt)."""


@dataclass
class BatchResult:
    """What a batch did."""

    acknowledge: list[str] = field(default_factory=list)
    receipts: int = 0
    applied: int = 0
    unresolved: int = 0
    learned: bool = False


class ReceiptApplier:
    """Applies receipt batches for one transport (see the module docstring)."""

    def __init__(self, ctx: DeclarationContext, publisher: EventPublisher, transport: str) -> None:
        self.ctx = ctx
        self.publisher = publisher
        self.transport = transport

    # --- entry points -------------------------------------------------------------------------------

    async def apply_new(
        self, session: AsyncSession, receipts: Sequence[InboundReceipt], now: dt.datetime
    ) -> BatchResult:
        """Store and apply receipts as they came from the transport."""
        result = BatchResult()
        known = await ReceiptRepository.from_session(session).known_digests(r.sha256 for r in receipts)
        fresh: list[InboundReceipt] = []
        for receipt in receipts:
            result.acknowledge.append(receipt.id)
            if receipt.sha256 in known:
                continue  # a re-delivery: applied before, nothing changes
            known.add(receipt.sha256)
            fresh.append(receipt)
        parsed = [self._parse(receipt) for receipt in fresh]
        await self._apply(session, parsed, now, result, store=True)
        result.receipts = len(fresh)
        return result

    async def retry_unresolved(
        self, session: AsyncSession, now: dt.datetime, limit: int = 100
    ) -> BatchResult:
        """Apply again the records of stored receipts that found no document before."""
        result = BatchResult()
        repository = ReceiptRepository.from_session(session)
        rows = await repository.with_status(UNRESOLVED, limit)
        if not rows:
            return result
        done = await repository.applied_records(row.id for row in rows)
        parsed = []
        for row in rows:
            payload = self.ctx.vault.open(_sealed(row), f"receipt:{row.sha256}")
            business = _business_of(payload)
            inbound = InboundReceipt(row.transport_id, payload, business, row.message_type, row.sha256)
            item = self._parse(inbound)
            item.row_id, item.skip = row.id, frozenset(done[row.id])
            parsed.append(item)
        await self._apply(session, parsed, now, result, store=False)
        return result

    # --- parsing ---------------------------------------------------------------------------------------

    def _parse(self, receipt: InboundReceipt) -> Parsed:
        decoded = decode_xml(receipt.business_xml)
        if decoded.message is None:
            problem = "; ".join(issue.message for issue in decoded.issues[:3]) or "unreadable"
            return Parsed(receipt, None, [], f"not a readable customs message: {problem}")
        message = decoded.message
        if message.spec.role is Role.DECLARATION:
            return Parsed(
                receipt, None, [], f"{message.message_type} is a declaration, not a customs receipt"
            )
        return Parsed(receipt, message, events_from_message(message))

    # --- the batch ---------------------------------------------------------------------------------------

    async def _apply(
        self, session: AsyncSession, parsed: list[Parsed], now: dt.datetime, result: BatchResult, store: bool
    ) -> None:
        if not parsed:
            return
        # Receipts found by a number customs assigns (tax bills by invtNo, CEB792 by sumNo)
        # go after the others of the batch, which may be the ones teaching those numbers.
        parsed.sort(key=lambda item: item.message is not None and _by_number(item.message.message_type))
        resolver = await Resolver.load(session, [p for p in parsed if p.message is not None])
        batch = _Batch(self, session, resolver, now)
        await batch.load_tracked()
        outcomes: dict[int, tuple[str, str | None]] = {}
        for position, item in enumerate(parsed):
            if item.message is None:
                outcomes[position] = (INVALID, item.problem)
                continue
            missing = batch.apply_message(position, item)
            outcomes[position] = (
                (UNRESOLVED, f"no document for records {missing[:20]}") if missing else (APPLIED, None)
            )
        repository = ReceiptRepository.from_session(session)
        if store:
            rows = [self._receipt_row(item, *outcomes[i], now) for i, item in enumerate(parsed)]
            for item, row_id in zip(parsed, await repository.add_receipts(rows), strict=True):
                item.row_id = row_id
        else:
            for i, item in enumerate(parsed):
                status, problem = outcomes[i]
                await repository.set_status(item.row_id, status, problem, now if status == APPLIED else None)
        await batch.write([item.row_id for item in parsed])
        result.applied += batch.applied
        result.unresolved += sum(1 for status, _ in outcomes.values() if status == UNRESOLVED)
        result.learned = batch.learned

    def _receipt_row(
        self, item: Parsed, status: str, problem: str | None, now: dt.datetime
    ) -> dict[str, Any]:
        receipt = item.receipt
        sealed = self.ctx.vault.seal(receipt.payload, f"receipt:{receipt.sha256}")
        return {
            "sha256": receipt.sha256,
            "transport": self.transport,
            "transport_id": receipt.id,
            "message_type": (item.message.message_type if item.message else (receipt.message_type or "")[:6])
            or None,
            "envelope": "bare" if receipt.payload == receipt.business_xml else "DXP",
            "record_count": len(item.events),
            "payload_key_id": sealed.key_id,
            "payload_cipher": sealed.blob,
            "payload_size": len(receipt.payload),
            "status": status,
            "problem": problem,
            "received_at": now,
            "applied_at": now if status == APPLIED else None,
        }


class Resolver:
    """Finds the documents receipt records are about (prefetched for a batch, in a few queries)."""

    def __init__(self) -> None:
        self.by_key: dict[str, str] = {}
        self.by_message: dict[str, list[str]] = {}
        self.by_invt_no: dict[str, str] = {}
        self.by_sum_no: dict[str, list[str]] = defaultdict(list)
        self.rows: dict[str, dict[str, Any]] = {}

    @classmethod
    async def load(cls, session: AsyncSession, parsed: Sequence[Parsed]) -> Resolver:
        resolver = cls()
        keys, messages, invt_nos, sum_nos = set(), set(), set(), set()
        for item in parsed:
            for event in item.events:
                kind = _reference_kind(event)
                if kind == "message":
                    messages.add(event.keys.get("oriCopMsgId", ""))
                elif kind == "invt_no":
                    invt_nos.add(event.invt_no or "")
                elif kind == "sum_no":
                    sum_nos.add(event.keys.get("sumNo", ""))
                else:
                    keys.add(receipt_key(event))
        repository = ReceiptRepository.from_session(session)
        resolver.by_message = await repository.documents_of_messages(messages)
        ids = {i for ids in resolver.by_message.values() for i in ids}
        for row in await repository.customs_rows(
            keys=keys, invt_nos=invt_nos, sum_nos=sum_nos, document_ids=ids
        ):
            resolver.add(row)
        return resolver

    def add(self, row: dict[str, Any]) -> None:
        """Know a document (the latest sent one wins a key: a carrier may reuse a waybill number)."""
        doc_id = row["document_id"]
        self.rows[doc_id] = row
        current = self.rows.get(self.by_key.get(row["customs_key"], ""))
        if current is None or current["sent_at"] <= row["sent_at"]:
            self.by_key[row["customs_key"]] = doc_id
        if row.get("invt_no") and row["message_type"] in ("CEB621", "CEB603"):
            self.by_invt_no[row["invt_no"]] = doc_id
        if row.get("sum_no") and doc_id not in self.by_sum_no[row["sum_no"]]:
            self.by_sum_no[row["sum_no"]].append(doc_id)

    def documents_for(self, event: ReceiptEvent) -> list[str]:
        """The documents a record is about (empty when unknown for now)."""
        kind = _reference_kind(event)
        if kind == "message":
            return [d for d in self.by_message.get(event.keys.get("oriCopMsgId", ""), []) if d in self.rows]
        if kind == "invt_no":
            found = self.by_invt_no.get(event.invt_no or "")
            return [found] if found else []
        if kind == "sum_no":
            return list(self.by_sum_no.get(event.keys.get("sumNo", ""), []))
        found = self.by_key.get(receipt_key(event))
        return [found] if found else []


def _by_number(message_type: str) -> bool:
    return message_type in ("CEB816", "CEB818", "CEB792")


def _reference_kind(event: ReceiptEvent) -> str:
    if event.message_type == "CEB900":
        return "message"
    if event.message_type in ("CEB816", "CEB818"):
        return "invt_no"
    if event.message_type == "CEB792":
        return "sum_no"
    return "key"


def receipt_key(event: ReceiptEvent) -> str:
    """The declaration key a receipt record names (see :func:`.outbound.customs_key`)."""
    spec = spec_for(event.message_type)
    answers = event.answers or ""
    names = spec.key_fields if spec else ()
    key = "|".join([answers, *(str(event.fields.get(name, "") or "") for name in names)])
    if event.fields.get("msgSeqNo") not in (None, ""):
        key += f"#{event.fields['msgSeqNo']}"
    return key[:255]


class _Batch:
    """The in-memory side of one batch: tracked documents, entries, transitions, effects."""

    def __init__(
        self, applier: ReceiptApplier, session: AsyncSession, resolver: Resolver, now: dt.datetime
    ) -> None:
        self.applier = applier
        self.ctx = applier.ctx
        self.session = session
        self.receipts = ReceiptRepository.from_session(session)
        self.resolver = resolver
        self.now = now
        self.tracked: dict[str, Tracked] = {}
        self.entries: list[dict[str, Any]] = []
        self.transitions: list[lifecycle.Transition] = []
        self.events: list[tuple[EventData, str]] = []
        self.quota_full: dict[str, str] = {}
        self.quota_part: list[tuple[str, Decimal, str]] = []
        self.tax_bills: dict[str, dict[str, Any]] = {}
        self.results: list[tuple[Parsed, dict[str, Any], list[dict[str, Any]], dt.datetime | None]] = []
        self.applied = 0
        self.learned = False
        self.current: Parsed | None = None
        """The receipt being applied (consequences are entered under it)."""

    async def load_tracked(self) -> None:
        """Load document rows and histories of every resolved document (and the inventories they target)."""
        ids = set(self.resolver.rows)
        targets = {row["target_id"] for row in self.resolver.rows.values() if row.get("target_id")}
        missing = sorted(targets - set(self.resolver.rows))
        for row in await self.receipts.customs_rows(document_ids=missing):
            self.resolver.add(row)
        ids |= targets
        await self._track(sorted(ids - set(self.tracked)))

    async def _track(self, ids: list[str]) -> None:
        if not ids:
            return
        documents = {
            doc_id: {**row, "body": {}}
            for doc_id, row in (
                await self.receipts.document_facts(ids, (*_FACT_COLUMNS, "status", "accepted_at"))
            ).items()
        }
        # Bodies are read only where a consequence needs lines: returns and the inventories they name.
        returns = [i for i in ids if self.resolver.rows.get(i, {}).get("kind") in _RETURN_KINDS]
        wanted = set(returns) | {
            self.resolver.rows[i]["target_id"] for i in returns if self.resolver.rows[i].get("target_id")
        }
        for doc_id, body in (await self.receipts.bodies(wanted)).items():
            if doc_id in documents:
                documents[doc_id]["body"] = body
        history: dict[str, list[HistoryEntry]] = defaultdict(list)
        for row in await self.receipts.history(ids):
            history[row.document_id].append(
                HistoryEntry(
                    row.message_type,
                    row.return_status,
                    _beijing(row.return_time),
                    row.return_info,
                    row.code,
                    Outcome(row.outcome),
                    row.state_after,
                    row.legal,
                )
            )
        for doc_id in ids:
            customs = self.resolver.rows.get(doc_id)
            document = documents.get(doc_id)
            if customs is None or document is None:
                continue
            self.tracked[doc_id] = Tracked(customs, document, history[doc_id], document["status"])

    # --- applying -------------------------------------------------------------------------------------

    def apply_message(self, position: int, item: Parsed) -> list[int]:
        """Apply every record of one receipt message; returns the indexes left unresolved."""
        assert item.message is not None
        missing = []
        for index, event in enumerate(item.events):
            if index in item.skip:
                continue
            documents = [d for d in self.resolver.documents_for(event) if d in self.tracked]
            if not documents:
                missing.append(index)
                continue
            record = item.message.records[index]
            self.current = item
            for doc_id in documents:
                tracked = self.tracked[doc_id]
                if event.message_type in ("CEB816", "CEB818"):
                    self._tax_bill(item, index, event, record.head, record.lines, tracked)
                    continue
                self._learn(tracked, event)
                self._apply_event(item, index, event, tracked)
                if event.message_type == "CEB792":
                    self.results.append((item, record.head, record.lines, event.return_time))
        return missing

    def _learn(self, tracked: Tracked, event: ReceiptEvent) -> None:
        customs = tracked.customs
        for column, value in (
            ("pre_no", event.pre_no),
            ("invt_no", event.invt_no),
            ("sum_no", event.keys.get("sumNo") if event.message_type == "CEB702" else None),
            ("entry_id", event.keys.get("entryId") if event.message_type == "CEB792" else None),
        ):
            if value and customs.get(column) != value:
                customs[column] = value[:36]
                tracked.dirty = True
                if column in ("invt_no", "sum_no"):
                    self.resolver.add(customs)
                    self.learned = True

    def _apply_event(self, item: Parsed, index: int, event: ReceiptEvent, tracked: Tracked) -> None:
        decision = customs_lifecycle.apply(tracked.state, tracked.history, event)
        tracked.history.append(decision.entry)
        self._entry(item, index, tracked, decision.entry, "document")
        if not decision.changed:
            return
        self.applied += 1
        self._move(
            tracked,
            decision.state,
            decision.legal,
            event.return_status,
            event.message_type,
            event.return_time,
        )

    def _move(
        self,
        tracked: Tracked,
        state: DocumentState,
        legal: bool,
        customs_status: str,
        message_type: str,
        at: dt.datetime | None,
    ) -> None:
        previous = tracked.status
        tracked.set_state(state, self.now)
        if not legal:
            tracked.customs["legal"] = False
        when = at or self.now
        if state.code == "800" and tracked.customs.get("released_at") is None:
            tracked.customs["released_at"] = when
        if state.code == "899":
            tracked.customs["closed_at"] = when
            tracked.customs.setdefault("released_at", None)
        tracked.status = state.name
        text = RETURN_STATUS_TEXT.get(customs_status, "")
        self.transitions.append(
            lifecycle.Transition(
                {name: tracked.document[name] for name in _FACT_COLUMNS}
                | {"invt_no": tracked.customs.get("invt_no")},
                previous,
                state.name,
                f"customs {message_type} {customs_status} {text}".strip(),
                customs_status=customs_status[:10],
                occurred_at=when,
            )
        )
        self._consequences(tracked, state, when)

    def _consequences(self, tracked: Tracked, state: DocumentState, at: dt.datetime) -> None:
        kind = state.kind
        if kind is DocumentKind.IMPORT_INVENTORY and state.code in QUOTA_RETURNING:
            self.quota_full[tracked.id] = f"customs: inventory {state.name}"
        elif kind is DocumentKind.CANCELLATION and customs_lifecycle.cancellation_approved(state):
            target = self.tracked.get(tracked.customs.get("target_id") or "")
            if target is not None:
                decision = customs_lifecycle.mark_cancelled(target.state, target.history, at)
                target.history.append(decision.entry)
                self._entry(self.current, 0, target, decision.entry, "document")
                if decision.changed:
                    self._move(target, decision.state, decision.legal, CANCELLED, "CEB624", at)
        elif kind in RETURN_ACCEPTED and state.code == RETURN_ACCEPTED[kind]:
            self._returned(tracked, at)

    def _returned(self, tracked: Tracked, at: dt.datetime) -> None:
        target = self.tracked.get(tracked.customs.get("target_id") or "")
        if target is None:
            return
        lines = tracked.document["body"].get("lines", [])
        value = effects.returned_value(target.document, lines, self.ctx.rates)
        columns = {name: target.document[name] for name in _FACT_COLUMNS}
        self.events.append((effects.returned_event(columns, tracked.id, value, at), target.id))
        if target.customs["message_type"] == "CEB621":
            self.quota_part.append((target.id, value.value_cny, f"customs accepted return {tracked.id}"))

    def _tax_bill(
        self,
        item: Parsed,
        index: int,
        event: ReceiptEvent,
        head: dict[str, Any],
        lines: list[dict[str, Any]],
        inventory: Tracked,
    ) -> None:
        tax_no = str(head.get("taxNo", ""))
        bill = self.tax_bills.get(tax_no)
        if bill is None:
            bill = {"state_code": SENT, "state_since": None, "history": [], "row": None, "new": True}
            self.tax_bills[tax_no] = bill
        if event.message_type == "CEB816":
            bill["row"] = effects.tax_bill_row(head, lines, inventory.id, 0)
            bill["item"] = item
        state = DocumentState(DocumentKind.TAX_BILL, bill["state_code"], bill["state_since"])
        decision = customs_lifecycle.apply(state, bill["history"], event)
        bill["history"].append(decision.entry)
        bill["state_code"], bill["state_since"] = decision.state.code, decision.state.since
        bill.setdefault("invt_no", event.invt_no)
        bill["document_id"] = inventory.id
        self._entry(item, index, inventory, decision.entry, "tax_bill")

    def _entry(
        self, item: Parsed | None, index: int, tracked: Tracked, entry: HistoryEntry, track: str
    ) -> None:
        self.entries.append(
            {
                "_item": item,
                "record_index": index,
                "document_id": tracked.id,
                "party_id": tracked.customs["party_id"],
                "track": track,
                "message_type": entry.message_type,
                "return_status": entry.return_status[:16],
                "return_time": entry.return_time,
                "return_info": entry.return_info,
                "code": entry.code[:16],
                "outcome": entry.outcome.value,
                "state_after": entry.state_after,
                "legal": entry.legal,
                "recorded_at": self.now,
            }
        )

    # --- writing -----------------------------------------------------------------------------------------

    async def write(self, receipt_ids: list[int | None]) -> None:
        """Everything the batch decided, in a fixed number of statements."""
        session, now = self.session, self.now
        if self.entries:
            rows = []
            for entry in self.entries:
                # A consequence (a cancellation's effect on its inventory) is entered under the
                # receipt that caused it.
                item = entry.pop("_item")
                rows.append({**entry, "receipt_id": item.row_id if item is not None else _last(receipt_ids)})
            await self.receipts.add_entries(rows)
        await self.receipts.update_customs_documents(
            [t.customs for t in self.tracked.values() if t.dirty], now
        )
        by_status: dict[str, list[str]] = defaultdict(list)
        for tracked in self.tracked.values():
            if tracked.status != tracked.document["status"]:
                by_status[tracked.status].append(tracked.id)
        await DocumentRepository.from_session(session).set_statuses(by_status, now)
        await lifecycle.record(session, self.applier.publisher, self.transitions, now)
        if self.events:
            await self.applier.publisher.stage_many(session, self.events)
        for document_id, reason in self.quota_full.items():
            await quota.release(session, [document_id], reason, now)
        for document_id, amount, reason in self.quota_part:
            if document_id in self.quota_full:
                continue
            if await self._returned_in_full(document_id):
                # Everything went back: the whole usage (freight and insurance included).
                await quota.release(session, [document_id], reason, now)
            else:
                await quota.release_part(session, document_id, amount, reason, now)
        await self._write_tax_bills(receipt_ids)
        await self._write_results(receipt_ids)

    async def _returned_in_full(self, inventory_id: str) -> bool:
        """Whether the returns customs accepted so far (this batch's included) took every unit back."""
        bodies = await self.receipts.accepted_return_bodies(
            inventory_id, "CEB625", RETURN_ACCEPTED[DocumentKind.IMPORT_RETURN]
        )
        returned: dict[int, Decimal] = defaultdict(Decimal)
        for body in bodies:
            add_returned(returned, body.get("lines", []))
        original = (await self.receipts.bodies([inventory_id])).get(inventory_id)
        lines = (original or {}).get("lines", [])
        return bool(lines) and all(
            returned.get(int(line.get("gnum", 0)), Decimal(0)) >= Decimal(str(line.get("qty", "0")))
            for line in lines
        )

    async def _write_tax_bills(self, receipt_ids: list[int | None]) -> None:
        if not self.tax_bills:
            return
        existing = await self.receipts.tax_bills(self.tax_bills)
        new_rows: list[dict[str, Any]] = []
        for tax_no, bill in self.tax_bills.items():
            row = bill["row"]
            if row is not None:
                row["receipt_id"] = bill["item"].row_id or 0
            if tax_no in existing:
                old = existing[tax_no]
                # Joined like any lifecycle: the higher-ranked of stored and new state wins.
                stored = DocumentState(DocumentKind.TAX_BILL, old.state_code, old.state_since)
                new = DocumentState(DocumentKind.TAX_BILL, bill["state_code"], bill["state_since"])
                keep = (
                    new
                    if (new.rank, new.since or self.now) >= (stored.rank, stored.since or self.now)
                    else stored
                )
                values: dict[str, Any] = {
                    "state_code": keep.code,
                    "state_since": keep.since,
                    "updated_at": self.now,
                }
                if row is not None:
                    values.update({k: v for k, v in row.items() if k not in ("tax_no", "receipt_id")})
                await self.receipts.update_tax_bill(tax_no, values)
            else:
                base = row or {
                    "tax_no": tax_no,
                    "invt_no": bill.get("invt_no") or "",
                    "document_id": bill.get("document_id"),
                    "customs_tax": None,
                    "value_added_tax": None,
                    "consumption_tax": None,
                    "head": {},
                    "lines": [],
                    "receipt_id": _last(receipt_ids) or 0,
                }
                if not base.get("receipt_id"):
                    base["receipt_id"] = _last(receipt_ids) or 0
                new_rows.append(
                    {
                        **base,
                        "state_code": bill["state_code"],
                        "state_since": bill["state_since"],
                        "updated_at": self.now,
                    }
                )
        await self.receipts.add_tax_bills(new_rows)

    async def _write_results(self, receipt_ids: list[int | None]) -> None:
        seen: set[int] = set()
        for item, head, lines, op_date in self.results:
            rid = item.row_id or 0
            if rid in seen:
                continue
            seen.add(rid)
            if await self.receipts.has_summary_result(rid):
                continue
            result_id = await self.receipts.add_summary_result(
                {
                    "sum_no": str(head.get("sumNo", "")),
                    "entry_id": str(head.get("entryId") or "") or None,
                    "decl_seq_no": str(head.get("declSeqNo") or "") or None,
                    "dec_state": str(head.get("decState") or "") or None,
                    "op_date": op_date,
                    "head": {k: str(v) for k, v in head.items()},
                    "receipt_id": rid,
                    "recorded_at": self.now,
                }
            )
            inventories = await self.receipts.export_inventories_by_number(
                str(line.get("invtNo", "")) for line in lines
            )
            await self.receipts.add_summary_lines(effects.summary_lines(result_id, head, lines, inventories))
            entry_id = str(head.get("entryId") or "") or None
            if entry_id and inventories:
                await self.receipts.set_entry_id(inventories.values(), entry_id, self.now)


def _last(ids: list[int | None]) -> int | None:
    found = [i for i in ids if i is not None]
    return found[-1] if found else None


def _beijing(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.astimezone(CUSTOMS_TZ) if moment is not None else None


def _sealed(row: Any) -> Sealed:
    return Sealed(row.payload_key_id, row.payload_cipher)


def _business_of(payload: bytes) -> bytes:
    return unwrap(payload).business_xml


__all__ = ["APPLIED", "INVALID", "UNRESOLVED", "BatchResult", "ReceiptApplier", "receipt_key"]
