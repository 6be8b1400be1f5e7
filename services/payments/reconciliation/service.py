"""Running reconciliations: plan (or dry-run), apply in crash-safe batches, review, expected items.

A run is planned in one transaction (the run and all its proposals are stored, review
items queued), then its automatic matches are applied in batches, **each batch one
transaction**: the matches (unique per entry × item, so never twice), the entries' and
items' matched amounts, the ledger postings of confirmed transactions and the proposals'
``applied`` flag commit together. A crash between batches leaves the run ``applying``
with its remaining proposals ``pending``; the service resumes it at start-up (or on
request) and applies exactly what is left.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.context import PaymentsContext
from services.payments.institutions import service as institutions
from services.payments.institutions.repository import InstitutionRepository
from services.payments.ledger import service as ledger
from services.payments.ledger.rules import minor_units, units
from services.payments.reconciliation import rules
from services.payments.reconciliation.models import ExpectedItem, Proposal, ReconciliationRun
from services.payments.reconciliation.problems import PROPOSAL_STATE
from services.payments.reconciliation.repository import ReconciliationRepository
from services.payments.reconciliation.schemas import ExpectedItemsIn, RunIn
from services.payments.statements.models import StatementEntry
from services.payments.threshold.service import institution_ref
from services.payments.transactions.models import Transaction
from shared.crashpoints import CrashPoints
from shared.db import Database
from shared.events.payments import ReconciliationCompleted
from shared.identity import Identity
from shared.messaging.outbox import EventPublisher
from shared.problems import NOT_FOUND, ProblemError
from shared.sqltypes import utcnow

log = logging.getLogger("ddt.payments.reconciliation")
STEPS = ("reconcile.batch",)


def entry_key(statement_id: str, seq: int) -> str:
    """How the engine names an entry."""
    return f"{statement_id}:{seq}"


def split_key(key: str) -> tuple[str, int]:
    """The (statement id, seq) of an entry key."""
    statement_id, _, seq = key.rpartition(":")
    return statement_id, int(seq)


def engine_entry(row: StatementEntry) -> rules.EntryIn:
    """A stored entry as the engine reads it (what is still open of it)."""
    day = row.value_date or row.booking_date or dt.date(2000, 1, 1)
    return rules.EntryIn(
        entry_key(row.statement_id, row.seq),
        row.credit,
        row.currency,
        minor_units(row.amount - row.matched_amount),
        day.toordinal(),
        rules.tokens(row.end_to_end_ids, row.bank_reference, row.remittance),
    )


def engine_item(row: ExpectedItem) -> rules.Item:
    """A stored expected item as the engine reads it."""
    return rules.Item(
        row.id,
        row.credit,
        row.currency,
        minor_units(row.open_amount),
        row.expected_date.toordinal(),
        frozenset(row.refs.split()),
    )


# --- expected items -------------------------------------------------------------------------


def _refs(*values: str | None) -> str:
    return " ".join(sorted({v.strip().upper() for v in values if v and v.strip()}))[:1000]


async def expect_transaction(session: AsyncSession, txn: Transaction, now: dt.datetime) -> None:
    """A reported transaction is money the enterprise's statement should show."""
    orders = [o["order_no"] for o in txn.requested_orders]
    await ReconciliationRepository(session).upsert_item(
        {
            "id": f"xi_{uuid.uuid4().hex[:24]}",
            "enterprise_party_id": txn.enterprise_party_id,
            "credit": txn.direction == "receipt",
            "currency": txn.currency,
            "amount": txn.amount,
            "open_amount": txn.amount,
            "expected_date": txn.value_date,
            "refs": _refs(txn.id, txn.reference, txn.payout_reference, txn.end_to_end_id, *orders),
            "source": "transaction",
            "source_ref": txn.id,
            "description": f"{txn.direction} {txn.reference}"[:200],
            "status": "open",
            "created_at": now,
            "updated_at": now,
        }
    )


async def close_transaction_item(session: AsyncSession, txn: Transaction, now: dt.datetime) -> None:
    """A voided transaction is no longer expected."""
    item = await ReconciliationRepository(session).item_by_source(
        txn.enterprise_party_id, "transaction", txn.id
    )
    if item is not None and item.status in ("open", "partial"):
        item.status, item.updated_at = "closed", now


async def register_items(
    session: AsyncSession, identity: Identity, body: ExpectedItemsIn, now: dt.datetime
) -> int:
    """Expected items an ERP (or an institution) registers; idempotent per id; how many stored."""
    enterprise = body.enterprise_party_id or identity.party_id
    await institutions.require_access(session, identity, enterprise)
    repo = ReconciliationRepository(session)
    for item in body.items:
        await repo.upsert_item(
            {
                "id": f"xi_{uuid.uuid4().hex[:24]}",
                "enterprise_party_id": enterprise,
                "credit": item.direction == "receipt",
                "currency": item.currency,
                "amount": item.amount,
                "open_amount": item.amount,
                "expected_date": item.expected_date,
                "refs": _refs(item.id, *item.references),
                "source": "api",
                "source_ref": item.id,
                "description": item.description,
                "status": "open",
                "created_at": now,
                "updated_at": now,
            }
        )
    return len(body.items)


# --- runs -------------------------------------------------------------------------------------


def _params(ctx: PaymentsContext, body: RunIn, rejected: set[tuple[str, str]]) -> rules.Params:
    settings = ctx.settings
    return rules.Params(
        tolerance=float(
            body.tolerance if body.tolerance is not None else settings.reconcile_amount_tolerance
        ),
        window_days=body.window_days if body.window_days is not None else settings.reconcile_date_window_days,
        suggest=float(settings.reconcile_suggest_confidence),
        rejected=frozenset(rejected),
    )


async def plan(
    session: AsyncSession, ctx: PaymentsContext, identity: Identity, body: RunIn, now: dt.datetime
) -> ReconciliationRun:
    """Propose matches for an enterprise's open entries and store the run (a dry run changes nothing else)."""
    enterprise = body.enterprise_party_id or identity.party_id
    await institutions.require_access(session, identity, enterprise)
    repo = ReconciliationRepository(session)
    entries = await repo.open_entries(enterprise, body.statement_ids)
    items = await repo.open_items(enterprise)
    params = _params(ctx, body, await repo.rejected_for(enterprise))
    proposals = rules.match([engine_entry(e) for e in entries], [engine_item(i) for i in items], params)
    auto_line = float(ctx.settings.reconcile_auto_confidence)
    run_id = f"rcn_{uuid.uuid4().hex[:24]}"
    rows: list[dict[str, Any]] = []
    for seq, proposal in enumerate(proposals, start=1):
        statement_id, entry_seq = split_key(proposal.entry)
        decision = "auto" if proposal.confidence >= auto_line else "review"
        state = "preview" if body.dry_run else ("pending" if decision == "auto" else "review")
        rows.append(
            {
                "id": f"prp_{uuid.uuid4().hex[:24]}",
                "run_id": run_id,
                "seq": seq,
                "enterprise_party_id": enterprise,
                "statement_id": statement_id,
                "entry_seq": entry_seq,
                "items": [list(pair) for pair in proposal.items],
                "confidence_bp": round(proposal.confidence * 10_000),
                "rule": proposal.rule[:80],
                "residual_cents": proposal.residual,
                "decision": decision,
                "state": state,
                "decided_by": None,
                "decided_at": None,
            }
        )
    auto = sum(1 for r in rows if r["decision"] == "auto")
    await repo.add_run(
        {
            "id": run_id,
            "enterprise_party_id": enterprise,
            "requested_by": identity.party_id,
            "dry_run": body.dry_run,
            "status": "dry_run" if body.dry_run else ("applying" if auto else "done"),
            "params": {
                "tolerance": params.tolerance,
                "window_days": params.window_days,
                "auto_confidence": auto_line,
                "suggest_confidence": params.suggest,
                "statement_ids": body.statement_ids or [],
            },
            "entries_considered": len(entries),
            "items_considered": len(items),
            "proposals": len(rows),
            "auto": auto,
            "review": len(rows) - auto,
            "applied": 0,
            "created_at": now,
            "finished_at": now if body.dry_run or not auto else None,
        },
        rows,
    )
    if not body.dry_run:
        await repo.set_states_for(
            [(r["statement_id"], r["entry_seq"]) for r in rows if r["decision"] == "review"], "review"
        )
    run = await repo.run(run_id)
    assert run is not None
    return run


async def apply_proposal(
    session: AsyncSession, publisher: EventPublisher, proposal: Proposal, now: dt.datetime
) -> bool:
    """Apply one proposal's match (once: a second application finds its matches and changes nothing)."""
    repo = ReconciliationRepository(session)
    inserted = set(
        await repo.add_matches(
            [
                {
                    "statement_id": proposal.statement_id,
                    "entry_seq": proposal.entry_seq,
                    "item_id": item_id,
                    "cents": cents,
                    "proposal_id": proposal.id,
                    "matched_at": now,
                }
                for item_id, cents in proposal.items
            ]
        )
    )
    proposal.state, proposal.decided_at = "applied", proposal.decided_at or now
    if not inserted:
        return False
    entry = await repo.entry(proposal.statement_id, proposal.entry_seq)
    items = await repo.items(sorted(inserted))
    total = 0
    for item_id, cents in proposal.items:
        item = items.get(item_id)
        if item_id not in inserted or item is None:
            continue
        take = min(int(cents), minor_units(item.open_amount))
        item.open_amount = item.open_amount - units(take)
        item.status = "matched" if item.open_amount <= 0 else "partial"
        item.updated_at = now
        total += take
        if item.status == "matched" and item.source == "transaction":
            await _confirm_transaction(session, publisher, item.source_ref, now)
    if entry is not None:
        entry.matched_amount = min(entry.amount, entry.matched_amount + units(total))
        entry.match_state = "matched" if entry.matched_amount >= entry.amount else "partial"
    return True


async def _confirm_transaction(
    session: AsyncSession, publisher: EventPublisher, transaction_id: str, now: dt.datetime
) -> None:
    from services.payments.transactions import service as transactions

    await ledger.resolve_transaction(session, transaction_id, post_them=True, now=now)
    await transactions.mark_reconciled(session, publisher, transaction_id, now)


async def apply_run(
    db: Database,
    ctx: PaymentsContext,
    publisher: EventPublisher,
    run_id: str,
    crash: CrashPoints | None = None,
) -> ReconciliationRun | None:
    """Apply a run's pending automatic matches, batch by batch, each batch one transaction."""
    size = ctx.settings.reconcile_batch_size
    while True:
        async with db.transaction() as session:
            repo = ReconciliationRepository(session)
            run = await repo.run(run_id)
            if run is None or run.status != "applying":
                return run
            batch = await repo.pending_batch(run_id, size)
            now = utcnow()
            if not batch:
                run.status, run.finished_at = "done", now
                await publisher.stage(
                    session,
                    ReconciliationCompleted(
                        party_id=run.enterprise_party_id,
                        institution=await institution_ref(session, run.requested_by)
                        if await InstitutionRepository(session).institution(run.requested_by) is not None
                        else None,
                        run_id=run.id,
                        matched=run.applied,
                        review=run.review,
                        unmatched_entries=max(run.entries_considered - run.proposals, 0),
                        occurred_at=now,
                    ),
                    subject=run.id,
                )
                return run
            applied = 0
            for proposal in batch:
                applied += await apply_proposal(session, publisher, proposal, now)
            run.applied = run.applied + applied
        if crash is not None:
            crash.reached("reconcile.batch")
        await asyncio.sleep(0)


async def resume_all(
    db: Database, ctx: PaymentsContext, publisher: EventPublisher, crash: CrashPoints | None
) -> int:
    """Resume every run a crash left applying; how many."""
    async with db.transaction() as session:
        run_ids = await ReconciliationRepository(session).unfinished_runs()
    for run_id in run_ids:
        log.info("resuming a reconciliation run", extra={"run_id": run_id})
        await apply_run(db, ctx, publisher, run_id, crash)
    return len(run_ids)


# --- review ----------------------------------------------------------------------------------


async def reviewable(session: AsyncSession, identity: Identity, proposal_id: str) -> Proposal:
    """A proposal the caller may decide (its enterprise's, or a granted institution), else 404."""
    proposal = await ReconciliationRepository(session).proposal(proposal_id)
    if proposal is None:
        raise ProblemError(NOT_FOUND, "No such proposal.")
    await institutions.require_access(session, identity, proposal.enterprise_party_id)
    if proposal.state != "review":
        raise ProblemError(PROPOSAL_STATE, f"The proposal is {proposal.state}, not waiting for review.")
    return proposal


async def accept(
    session: AsyncSession, publisher: EventPublisher, identity: Identity, proposal_id: str, now: dt.datetime
) -> Proposal:
    """A reviewer confirms a suggested match: it is applied now."""
    proposal = await reviewable(session, identity, proposal_id)
    repo = ReconciliationRepository(session)
    items = await repo.items([str(i) for i, _ in proposal.items])
    entry = await repo.entry(proposal.statement_id, proposal.entry_seq)
    still_open = entry is not None and all(
        items.get(str(i)) is not None and items[str(i)].status in ("open", "partial")
        for i, _ in proposal.items
    )
    if not still_open:
        raise ProblemError(
            PROPOSAL_STATE, "The entry or an item was matched meanwhile; run reconciliation again."
        )
    assert entry is not None
    entry.match_state = "unmatched" if entry.matched_amount == 0 else "partial"
    await apply_proposal(session, publisher, proposal, now)
    proposal.decided_by = identity.party_id
    run = await repo.run(proposal.run_id)
    if run is not None:
        run.applied += 1
    return proposal


async def reject(session: AsyncSession, identity: Identity, proposal_id: str, now: dt.datetime) -> Proposal:
    """A reviewer rejects a suggestion: the pairs are remembered and never proposed again."""
    proposal = await reviewable(session, identity, proposal_id)
    repo = ReconciliationRepository(session)
    for item_id, _cents in proposal.items:
        await repo.reject(
            {
                "statement_id": proposal.statement_id,
                "entry_seq": proposal.entry_seq,
                "item_id": str(item_id),
                "rejected_by": identity.party_id,
                "rejected_at": now,
            }
        )
    proposal.state, proposal.decided_by, proposal.decided_at = "rejected", identity.party_id, now
    entry = await repo.entry(proposal.statement_id, proposal.entry_seq)
    if entry is not None and entry.match_state == "review":
        entry.match_state = "unmatched" if entry.matched_amount == 0 else "partial"
    return proposal


def proposal_amounts(proposal: Proposal) -> list[dict[str, Any]]:
    """A proposal's items with amounts in currency units."""
    return [{"item_id": str(i), "amount": units(int(c))} for i, c in proposal.items]


def as_decimal(bp: int) -> Decimal:
    """Basis points as a confidence (0–1)."""
    return (Decimal(bp) / 10_000).quantize(Decimal("0.0001"))
