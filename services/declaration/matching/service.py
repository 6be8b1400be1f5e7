"""Three-document match (三单对碰) as documents arrive, in any order, from different parties.

An inventory is matched when it arrives, against whichever partners are already
stored; it then waits (``waiting``) with its report visible. Whenever an order,
payment or waybill arrives (or is amended or deleted), the inventories naming its
key are matched again. The outcome moves the inventory to ``matched`` or
``mismatched`` and, when matched, its partners to ``matched`` too (which tells their
events the supervision mode the inventory declared).

Partners are found by key: the order by (ebpCode, orderNo) — orderNo is unique per
platform —, the import payment by the same order key (preferring the one whose
payCode/payTransactionId the order names), the waybill by (logisticsCode,
logisticsNo). Import inventories match order + payment + waybill
(:func:`.rules.match_inventory`), export inventories order + waybill
(:func:`.rules.match_export_inventory`). Buyer ≠ payer is a review flag.

Concurrency: the intake holds advisory locks on the order and waybill keys of
everything it files (prechecks.repository.KeyLocks), so an inventory and its order filed at the
same moment are matched by whichever commits second — neither can miss the other.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.declaration.ceb.catalogue import spec_for
from services.declaration.ceb.model import Record
from services.declaration.context import DeclarationContext
from services.declaration.documents import lifecycle
from services.declaration.documents.models import Document
from services.declaration.documents.records import typed_record
from services.declaration.documents.repository import DocumentRepository, DocumentRow
from services.declaration.matching.repository import MatchRepository
from services.declaration.matching.rules import (
    MatchResult,
    MatchStatus,
    match_export_inventory,
    match_inventory,
)
from services.declaration.personal_data.vault import Sealed


@dataclass(frozen=True)
class Partners:
    """The stored partners found for one inventory."""

    order: DocumentRow | None = None
    payment: DocumentRow | None = None
    waybill: DocumentRow | None = None


@dataclass(frozen=True)
class MatchOutcome:
    """One inventory's match: the pure result and the partners it used."""

    result: MatchResult
    partners: Partners

    @property
    def status(self) -> str:
        """``waiting``, ``matched`` or ``mismatched``."""
        return self.result.status.value

    @property
    def needs_review(self) -> bool:
        """True when the match raised review flags (e.g. buyer ≠ payer)."""
        return bool(self.result.review)

    def reason(self) -> str:
        """A short, non-personal explanation for the status history."""
        if self.result.status is MatchStatus.MISMATCHED:
            fields = sorted({m.field for m in self.result.mismatches})
            return "mismatch: " + ", ".join(fields)
        if self.result.status is MatchStatus.WAITING:
            return "waiting for " + ", ".join(self.result.waiting_for)
        return "three-document match passed"

    def row(self, inventory_id: str, now: dt.datetime) -> dict[str, Any]:
        """The ``inventory_matches`` row."""
        partners = self.partners
        return {
            "inventory_id": inventory_id,
            "status": self.status,
            "order_id": partners.order.id if partners.order else None,
            "payment_id": partners.payment.id if partners.payment else None,
            "waybill_id": partners.waybill.id if partners.waybill else None,
            "report": self.result.to_dict(),
            "matched_at": now if self.result.status is MatchStatus.MATCHED else None,
            "updated_at": now,
        }


def open_record(ctx: DeclarationContext, document: DocumentRow) -> Record:
    """A stored document as a typed record, personal fields decrypted (for comparison only)."""
    spec = spec_for(document.message_type)
    assert spec is not None
    personal = None
    if document.pii_cipher is not None and document.pii_key_id is not None:
        personal = ctx.vault.open_json(Sealed(document.pii_key_id, document.pii_cipher), document.id)
    return typed_record(spec, document.body, personal)


@dataclass(frozen=True)
class InventoryToMatch:
    """An inventory about to be (re)matched."""

    id: str
    direction: str
    order_ref: str | None
    waybill_ref: str | None
    record: Record


async def match_inventories(
    session: AsyncSession,
    ctx: DeclarationContext,
    direction: str,
    inventories: Sequence[InventoryToMatch],
    candidates: Sequence[DocumentRow] | None = None,
) -> dict[str, MatchOutcome]:
    """Match inventories of one direction against their stored partners.

    ``candidates`` are the partners if the caller fetched them already (the intake gets
    them with its duplicate check, in one query); otherwise one query fetches them.
    """
    if not inventories:
        return {}
    if candidates is None:
        candidates = await DocumentRepository.from_session(session).partner_candidates(
            direction,
            (inv.order_ref for inv in inventories if inv.order_ref),
            (inv.waybill_ref for inv in inventories if inv.waybill_ref),
        )
    by_order: dict[tuple[str, str], list[DocumentRow]] = defaultdict(list)
    by_waybill: dict[str, list[DocumentRow]] = defaultdict(list)
    for doc in candidates:
        if doc.kind == "waybill" and doc.waybill_ref:
            by_waybill[doc.waybill_ref].append(doc)
        elif doc.order_ref:
            by_order[(doc.kind, doc.order_ref)].append(doc)
    opened: dict[str, Record] = {}

    def record_of(doc: DocumentRow | None) -> Record | None:
        if doc is None:
            return None
        if doc.id not in opened:
            opened[doc.id] = open_record(ctx, doc)
        return opened[doc.id]

    outcomes: dict[str, MatchOutcome] = {}
    for inv in inventories:
        order = _latest(by_order.get(("order", inv.order_ref or ""), []))
        waybill = _latest(by_waybill.get(inv.waybill_ref or "", []))
        if direction == "import":
            payment = _payment_for(by_order.get(("payment", inv.order_ref or ""), []), record_of(order))
            result = match_inventory(
                inv.record, record_of(order), record_of(payment), record_of(waybill), ctx.match
            )
            outcomes[inv.id] = MatchOutcome(result, Partners(order, payment, waybill))
        else:
            result = match_export_inventory(inv.record, record_of(order), record_of(waybill), ctx.match)
            outcomes[inv.id] = MatchOutcome(result, Partners(order, None, waybill))
    return outcomes


def _latest(docs: list[DocumentRow]) -> DocumentRow | None:
    return max(docs, key=lambda d: d.seq) if docs else None


def _payment_for(payments: list[DocumentRow], order: Record | None) -> DocumentRow | None:
    if not payments:
        return None
    if order is not None:
        wanted = f"{order.head.get('payCode', '')}|{order.head.get('payTransactionId', '')}"
        named = [p for p in payments if f"{p.body['head'].get('payCode', '')}|{p.business_no}" == wanted]
        if named:
            return _latest(named)
    return _latest(payments)


async def store_matches(
    session: AsyncSession, rows: Sequence[dict[str, Any]], *, replace: bool = True
) -> None:
    """Insert match rows, replacing earlier ones unless the inventories are new (≤ 2 statements)."""
    await MatchRepository.from_session(session).store(rows, replace=replace)


def partner_promotions(matched: Iterable[tuple[MatchOutcome, str | None]]) -> list[lifecycle.Transition]:
    """``accepted → matched`` for the partners of matched inventories, carrying the inventory's mode."""
    seen: set[str] = set()
    changes: list[lifecycle.Transition] = []
    for outcome, mode in matched:
        if outcome.result.status is not MatchStatus.MATCHED:
            continue
        for doc in (outcome.partners.order, outcome.partners.payment, outcome.partners.waybill):
            if doc is None or doc.id in seen:
                continue
            if doc.status != "accepted":
                continue
            seen.add(doc.id)
            changes.append(
                lifecycle.Transition(
                    lifecycle.columns_of(doc),
                    "accepted",
                    "matched",
                    "its inventory passed the three-document match",
                    mode=mode,
                )
            )
    return changes


async def learn_partner_modes(
    session: AsyncSession, matched: Iterable[tuple[MatchOutcome, str | None]], now: dt.datetime
) -> None:
    """Give partners already with customs (not ``accepted`` any more) the mode their inventory states.

    The exchange sends orders, payments and waybills as soon as they are accepted, so a
    partner may be with customs when its inventory matches; its later receipt events then
    carry the mode (no status changes here, so no event of its own).
    """
    by_mode: dict[str, set[str]] = defaultdict(set)
    for outcome, mode in matched:
        if mode is None or outcome.result.status is not MatchStatus.MATCHED:
            continue
        for doc in (outcome.partners.order, outcome.partners.payment, outcome.partners.waybill):
            if doc is not None and doc.status != "accepted" and doc.mode is None:
                by_mode[mode].add(doc.id)
    documents = DocumentRepository.from_session(session)
    for mode, ids in by_mode.items():
        await documents.teach_modes(ids, mode, now)


#: Documents an inventory names (the partners of the three-document match).
PARTNER_KINDS = frozenset({"order", "payment", "waybill"})
#: Statuses after which a partner waits for nothing (gone from the platform, or refused by customs).
_NOT_WAITING = frozenset({"deleted", "rejected", "refused", "format_rejected", "cancelled"})


def inventory_wait_view(
    accepted_at: dt.datetime, first_inventory_at: dt.datetime | None, now: dt.datetime
) -> dict[str, Any]:
    """Whether a partner still awaits an inventory naming it, since when and for how long.

    Customs matches an order, payment or waybill only with the inventory that names it, and
    neither customs nor the platform ends the wait: this is what tells the filer it waits.
    Once an inventory arrived, ``waitedSeconds`` is how long the partner waited for it.
    """
    end = now if first_inventory_at is None else first_inventory_at
    return {
        "status": "awaiting_inventory" if first_inventory_at is None else "inventory_filed",
        "waitingSince": accepted_at.isoformat(),
        "waitedSeconds": max(int((end - accepted_at).total_seconds()), 0),
        "inventoryFiledAt": first_inventory_at.isoformat() if first_inventory_at is not None else None,
    }


async def inventory_wait(
    session: AsyncSession, document: Document, now: dt.datetime
) -> dict[str, Any] | None:
    """:func:`inventory_wait_view` for an order, payment or waybill still on its way (else None)."""
    if document.kind not in PARTNER_KINDS or document.status in _NOT_WAITING:
        return None
    column = "waybill_ref" if document.kind == "waybill" else "order_ref"
    ref = document.waybill_ref if column == "waybill_ref" else document.order_ref
    if not ref:
        return None
    first = await DocumentRepository.from_session(session).first_inventory_naming(
        document.direction, column, ref
    )
    return inventory_wait_view(document.accepted_at, first, now)


async def rematch_referencing(
    session: AsyncSession,
    ctx: DeclarationContext,
    direction: str,
    order_refs: Iterable[str],
    waybill_refs: Iterable[str],
    now: dt.datetime,
) -> list[lifecycle.Transition]:
    """Match again the pre-check inventories that name these keys; store the new matches.

    Returns the status transitions (inventories that moved, partners that became
    matched) for the caller to publish with the rest of its changes.
    """
    inventories = await DocumentRepository.from_session(session).inventories_referencing(
        direction, order_refs, waybill_refs
    )
    if not inventories:
        return []
    to_match = [
        InventoryToMatch(doc.id, doc.direction, doc.order_ref, doc.waybill_ref, open_record(ctx, doc))
        for doc in inventories
    ]
    outcomes = await match_inventories(session, ctx, direction, to_match)
    transitions: list[lifecycle.Transition] = []
    rows = []
    for doc in inventories:
        outcome = outcomes[doc.id]
        rows.append(outcome.row(doc.id, now))
        if outcome.status != doc.status or outcome.needs_review != doc.needs_review:
            transitions.append(
                lifecycle.Transition(
                    lifecycle.columns_of(doc),
                    doc.status,
                    outcome.status,
                    outcome.reason(),
                    needs_review=outcome.needs_review,
                )
            )
    await store_matches(session, rows)
    return [*transitions, *partner_promotions((outcomes[doc.id], doc.mode) for doc in inventories)]
