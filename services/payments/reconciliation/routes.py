"""``/v1/payments/reconciliation/…`` and ``/v1/payments/expected-items``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from services.payments.context import PaymentsContextDep
from services.payments.institutions import service as institutions
from services.payments.reconciliation import exports, service
from services.payments.reconciliation.models import ExpectedItem, Proposal, ReconciliationRun
from services.payments.reconciliation.repository import ReconciliationRepository
from services.payments.reconciliation.schemas import (
    ExpectedItemOut,
    ExpectedItemsIn,
    ProposalItemOut,
    ProposalOut,
    RegisteredOut,
    RunIn,
    RunOut,
)
from shared.identity import CurrentIdentity
from shared.kit.pagination import Page, PageParams
from shared.kit.responses import COMMON_PROBLEMS, problems, raw_response
from shared.problems import NOT_FOUND, ProblemError
from shared.service import DbSession, RuntimeDep
from shared.sqltypes import utcnow

router = APIRouter(prefix="/v1/payments", tags=["payments: reconciliation"])
RunId = Annotated[str, Path(min_length=1, max_length=40)]
ProposalId = Annotated[str, Path(min_length=1, max_length=40)]
Enterprise = Annotated[str | None, Query(max_length=64, description="default: yourself")]
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def run_out(run: ReconciliationRun) -> RunOut:
    """A run as the API shows it."""
    return RunOut(
        id=run.id,
        enterprise_party_id=run.enterprise_party_id,
        dry_run=run.dry_run,
        status=run.status,
        params=run.params,
        entries_considered=run.entries_considered,
        items_considered=run.items_considered,
        proposals=run.proposals,
        auto=run.auto,
        review=run.review,
        applied=run.applied,
        created_at=run.created_at,
        finished_at=run.finished_at,
    )


def proposal_out(p: Proposal) -> ProposalOut:
    """A proposal as the API shows it."""
    return ProposalOut(
        id=p.id,
        run_id=p.run_id,
        statement_id=p.statement_id,
        entry_seq=p.entry_seq,
        items=[ProposalItemOut(**x) for x in service.proposal_amounts(p)],
        confidence=service.as_decimal(p.confidence_bp),
        rule=p.rule,
        residual=service.units(p.residual_cents),
        decision=p.decision,
        state=p.state,
        decided_by=p.decided_by,
        decided_at=p.decided_at,
    )


def item_out(i: ExpectedItem) -> ExpectedItemOut:
    """An expected item as the API shows it."""
    return ExpectedItemOut(
        id=i.id,
        source=i.source,
        source_ref=i.source_ref,
        direction="receipt" if i.credit else "payment",
        currency=i.currency,
        amount=i.amount,
        open_amount=i.open_amount,
        expected_date=i.expected_date,
        references=i.refs.split(),
        description=i.description,
        status=i.status,
    )


async def _readable_run(session: DbSession, identity: CurrentIdentity, run_id: str) -> ReconciliationRun:
    run = await ReconciliationRepository(session).run(run_id)
    if run is None:
        raise ProblemError(NOT_FOUND, "No such run.")
    await institutions.require_access(session, identity, run.enterprise_party_id)
    return run


@router.post(
    "/reconciliation/runs",
    response_model=RunOut,
    status_code=201,
    summary="Reconcile an enterprise's open statement entries against its expected items (or a dry run)",
    description="Deterministic pass (a reference and the exact amount), then rules (fee tolerance, value "
    "date ± N days, many-to-one, one-to-many). Matches at or above the auto confidence apply at once, in "
    "crash-safe batches; the rest wait in the review queue. A dry run proposes and applies nothing.",
    responses=problems(*COMMON_PROBLEMS, 404),
)
async def start_run(
    body: RunIn, identity: CurrentIdentity, ctx: PaymentsContextDep, runtime: RuntimeDep
) -> RunOut:
    # Not one request transaction: the plan commits first, then every batch commits on its own.
    async with runtime.db.transaction() as session:
        run = await service.plan(session, ctx, identity, body, utcnow())
    finished = await service.apply_run(runtime.db, ctx, runtime.publisher, run.id, ctx.crash)
    return run_out(finished or run)


@router.post(
    "/reconciliation/runs/{run_id}/resume",
    response_model=RunOut,
    summary="Apply what a run (interrupted by a crash) has left to apply",
    responses=problems(*COMMON_PROBLEMS, 404),
)
async def resume_run(
    run_id: RunId, identity: CurrentIdentity, ctx: PaymentsContextDep, runtime: RuntimeDep
) -> RunOut:
    async with runtime.db.transaction() as session:
        await _readable_run(session, identity, run_id)
    run = await service.apply_run(runtime.db, ctx, runtime.publisher, run_id, ctx.crash)
    assert run is not None
    return run_out(run)


@router.get(
    "/reconciliation/runs/{run_id}",
    response_model=RunOut,
    summary="One run",
    responses=problems(*COMMON_PROBLEMS, 404),
)
async def get_run(run_id: RunId, identity: CurrentIdentity, session: DbSession) -> RunOut:
    return run_out(await _readable_run(session, identity, run_id))


@router.get(
    "/reconciliation/runs/{run_id}/proposals",
    response_model=Page[ProposalOut],
    summary="A run's proposals, in order",
    responses=problems(*COMMON_PROBLEMS, 404),
)
async def run_proposals(
    run_id: RunId, identity: CurrentIdentity, session: DbSession, page: PageParams
) -> Page[ProposalOut]:
    await _readable_run(session, identity, run_id)
    rows, cursor = await ReconciliationRepository(session).proposals_page(page, run_id=run_id)
    return Page(items=[proposal_out(p) for p in rows], next_cursor=cursor)


def _result_rows(rows: list[Proposal]) -> list[list[object]]:
    return [
        [
            p.run_id,
            p.id,
            p.statement_id,
            p.entry_seq,
            " ".join(f"{x['item_id']}={x['amount']}" for x in service.proposal_amounts(p)),
            str(service.as_decimal(p.confidence_bp)),
            p.rule,
            str(service.units(p.residual_cents)),
            p.decision,
            p.state,
        ]
        for p in rows
    ]


@router.get(
    "/reconciliation/runs/{run_id}/results.csv",
    response_class=Response,
    summary="A run's results as CSV",
    responses=raw_response({CSV: None}) | problems(*COMMON_PROBLEMS, 404),
)
async def results_csv(run_id: RunId, identity: CurrentIdentity, session: DbSession) -> Response:
    await _readable_run(session, identity, run_id)
    rows = _result_rows(await ReconciliationRepository(session).all_proposals(run_id))
    return Response(exports.to_csv(exports.RESULT_COLUMNS, rows), media_type=CSV)


@router.get(
    "/reconciliation/runs/{run_id}/results.xlsx",
    response_class=Response,
    summary="A run's results as XLSX",
    responses=raw_response({XLSX: None}) | problems(*COMMON_PROBLEMS, 404),
)
async def results_xlsx(run_id: RunId, identity: CurrentIdentity, session: DbSession) -> Response:
    await _readable_run(session, identity, run_id)
    rows = _result_rows(await ReconciliationRepository(session).all_proposals(run_id))
    return Response(exports.to_xlsx("results", exports.RESULT_COLUMNS, rows), media_type=XLSX)


async def _unmatched_rows(session: DbSession, enterprise: str) -> list[list[object]]:
    repo = ReconciliationRepository(session)
    rows: list[list[object]] = [
        [
            "entry",
            e.statement_id,
            e.seq,
            "receipt" if e.credit else "payment",
            e.currency,
            str(e.amount),
            str(e.amount - e.matched_amount),
            str(e.value_date or e.booking_date or ""),
            " ".join(filter(None, [e.end_to_end_ids, e.bank_reference, e.remittance])),
            e.match_state,
        ]
        for e in await repo.unmatched_entries(enterprise)
    ]
    rows += [
        [
            "expected",
            f"{i.source}:{i.source_ref}",
            i.id,
            "receipt" if i.credit else "payment",
            i.currency,
            str(i.amount),
            str(i.open_amount),
            i.expected_date.isoformat(),
            i.refs,
            i.status,
        ]
        for i in await repo.open_items_all(enterprise)
    ]
    return rows


@router.get(
    "/reconciliation/unmatched.csv",
    response_class=Response,
    summary="An enterprise's unmatched entries and open expected items, as CSV",
    responses=raw_response({CSV: None}) | problems(*COMMON_PROBLEMS, 404),
)
async def unmatched_csv(
    identity: CurrentIdentity, session: DbSession, enterprise: Enterprise = None
) -> Response:
    party = enterprise or identity.party_id
    await institutions.require_access(session, identity, party)
    rows = await _unmatched_rows(session, party)
    return Response(exports.to_csv(exports.UNMATCHED_COLUMNS, rows), media_type=CSV)


@router.get(
    "/reconciliation/unmatched.xlsx",
    response_class=Response,
    summary="An enterprise's unmatched entries and open expected items, as XLSX",
    responses=raw_response({XLSX: None}) | problems(*COMMON_PROBLEMS, 404),
)
async def unmatched_xlsx(
    identity: CurrentIdentity, session: DbSession, enterprise: Enterprise = None
) -> Response:
    party = enterprise or identity.party_id
    await institutions.require_access(session, identity, party)
    rows = await _unmatched_rows(session, party)
    return Response(exports.to_xlsx("unmatched", exports.UNMATCHED_COLUMNS, rows), media_type=XLSX)


@router.get(
    "/reconciliation/review",
    response_model=Page[ProposalOut],
    summary="Suggested matches waiting for a person (below the auto-apply confidence)",
    responses=problems(*COMMON_PROBLEMS, 404),
)
async def review_queue(
    identity: CurrentIdentity, session: DbSession, page: PageParams, enterprise: Enterprise = None
) -> Page[ProposalOut]:
    party = enterprise or identity.party_id
    await institutions.require_access(session, identity, party)
    rows, cursor = await ReconciliationRepository(session).proposals_page(
        page, enterprise=party, state="review"
    )
    return Page(items=[proposal_out(p) for p in rows], next_cursor=cursor)


@router.post(
    "/reconciliation/review/{proposal_id}/accept",
    response_model=ProposalOut,
    summary="Confirm a suggested match (it is applied)",
    responses=problems(*COMMON_PROBLEMS, 404, 409),
)
async def accept(
    proposal_id: ProposalId, identity: CurrentIdentity, session: DbSession, runtime: RuntimeDep
) -> ProposalOut:
    return proposal_out(await service.accept(session, runtime.publisher, identity, proposal_id, utcnow()))


@router.post(
    "/reconciliation/review/{proposal_id}/reject",
    response_model=ProposalOut,
    summary="Reject a suggested match (the pair is never proposed again)",
    responses=problems(*COMMON_PROBLEMS, 404, 409),
)
async def reject(proposal_id: ProposalId, identity: CurrentIdentity, session: DbSession) -> ProposalOut:
    return proposal_out(await service.reject(session, identity, proposal_id, utcnow()))


@router.post(
    "/expected-items",
    response_model=RegisteredOut,
    summary="Register expected receipts and payments (an ERP's open receivables); idempotent per id",
    responses=problems(*COMMON_PROBLEMS, 404),
)
async def register_items(
    body: ExpectedItemsIn, identity: CurrentIdentity, session: DbSession
) -> RegisteredOut:
    return RegisteredOut(stored=await service.register_items(session, identity, body, utcnow()))


@router.get(
    "/expected-items",
    response_model=Page[ExpectedItemOut],
    summary="An enterprise's expected items, by expected date",
    responses=problems(*COMMON_PROBLEMS, 404),
)
async def list_items(
    identity: CurrentIdentity,
    session: DbSession,
    page: PageParams,
    enterprise: Enterprise = None,
    status: Annotated[str | None, Query(pattern=r"^(open|partial|matched|closed)$")] = None,
) -> Page[ExpectedItemOut]:
    party = enterprise or identity.party_id
    await institutions.require_access(session, identity, party)
    rows, cursor = await ReconciliationRepository(session).items_page(page, party, status)
    return Page(items=[item_out(i) for i in rows], next_cursor=cursor)
