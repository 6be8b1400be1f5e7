"""``/v1/stats/rewards/…`` — policies, runs, their review, corrections and exports (regulators)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from services.stats.access import actor_of, require_regulator
from services.stats.exports.render import XLSX_TYPE
from services.stats.exports.responses import TABLE_ANSWERS, AnswerParam
from services.stats.queries.results import money
from services.stats.reference.places import Place, PlaceDirectory
from services.stats.rewards import run_xlsx_bytes
from services.stats.rewards.runs import policies
from services.stats.rewards.runs import service as runs
from services.stats.rewards.runs.encoding import decode_items, decode_lines
from services.stats.rewards.runs.exports import SCOPES, describe, get_job, request_export
from services.stats.rewards.runs.models import RewardRunRow
from services.stats.rewards.runs.problems import EXPORT_TOO_LARGE
from services.stats.rewards.runs.schemas import (
    CorrectionRequest,
    ExportJobOut,
    ExportRequest,
    LatestOut,
    PolicyListOut,
    PolicyOut,
    RunListOut,
    RunOut,
    RunRequest,
    SnapshotOut,
    StepRequest,
    SubjectOut,
    VerifyOut,
)
from services.stats.settings import StatsSettings
from shared.identity import CurrentIdentity
from shared.kit.pagination import PageRequest, page_request_for
from shared.kit.responses import COMMON_PROBLEMS, problems, raw_response
from shared.problems import CONFLICT, VALIDATION_FAILED, ProblemError
from shared.service import DbSession, Runtime, RuntimeDep

router = APIRouter(prefix="/v1/stats/rewards", tags=["reward runs"])

#: Views leave out the keys they do not have (a run's history, a policy's source text).
_VIEW: dict[str, Any] = {"response_model_exclude_unset": True}
_ALREADY_STORED: dict[int | str, dict[str, Any]] = {
    200: {"model": PolicyOut, "description": "The same rules were stored already"}
}
_XLSX = raw_response({XLSX_TYPE: None}, "The workbook (attachment)")


def _places(runtime: Runtime) -> dict[str, Place]:
    directory = runtime.components.find(PlaceDirectory)
    return directory.places if directory is not None else {}


# --------------------------------------------------------------------------- policies


@router.post(
    "/policies",
    status_code=201,
    response_model=PolicyOut,
    responses=_ALREADY_STORED | problems(*COMMON_PROBLEMS),
    summary="Upload a policy file (validated; errors name the path)",
    **_VIEW,
)
async def upload_policy(
    identity: CurrentIdentity, session: DbSession, request: Request, response: Response
) -> dict[str, object]:
    """JSON ``{"format": "yaml"|"json", "content": "…"}``, a JSON policy object, or a raw YAML body."""
    require_regulator(identity)
    raw = (await request.body()).decode("utf-8", "replace")
    media = request.headers.get("content-type", "").split(";")[0].strip()
    if media == "application/json":
        try:
            body = json.loads(raw)
        except ValueError:
            raise ProblemError(VALIDATION_FAILED, "The body is not JSON.") from None
        if isinstance(body, dict) and "content" in body and "schema_version" not in body:
            fmt, text = str(body.get("format") or "yaml"), str(body["content"])
        else:
            fmt, text = "json", raw
    else:
        fmt, text = "yaml", raw
    if fmt not in ("yaml", "json"):
        raise ProblemError(
            VALIDATION_FAILED,
            "format is yaml or json",
            errors=[{"pointer": "/body/format", "detail": "yaml or json"}],
        )
    row, created = await policies.store(session, text, fmt, actor_of(identity))
    if not created:
        response.status_code = 200
    return policies.describe(row)


@router.get(
    "/policies",
    response_model=PolicyListOut,
    responses=problems(*COMMON_PROBLEMS),
    summary="Stored policies",
    **_VIEW,
)
async def list_policies(identity: CurrentIdentity, session: DbSession) -> dict[str, Any]:
    require_regulator(identity)
    return {"policies": [policies.describe(r) for r in await policies.listing(session)]}


@router.get(
    "/policies/{ref}",
    response_model=PolicyOut,
    responses=problems(*COMMON_PROBLEMS, 404),
    summary="One policy with its source text",
    **_VIEW,
)
async def get_policy(ref: str, identity: CurrentIdentity, session: DbSession) -> dict[str, Any]:
    require_regulator(identity)
    return policies.describe((await policies.resolve(session, ref)).row, with_text=True)


# --------------------------------------------------------------------------- runs


def _run_view(row: RewardRunRow, history: list[Any] | None = None) -> dict[str, Any]:
    header = row.header
    view: dict[str, Any] = {
        "runId": row.run_id,
        "year": row.year,
        "status": row.status,
        "policy": row.policy_sha256,
        "policyId": header["policy_id"],
        "policyStatus": header["policy_status"],
        "snapshotId": row.snapshot_id,
        "snapshotHash": header["snapshot_hash"],
        "engineVersion": header["engine_version"],
        "amountsDigest": row.amounts_digest,
        "subjects": row.subjects,
        "total": str(money(row.total_fen)),
        "demand": str(money(row.demand_fen)),
        "budget": header["budget"],
        "correctsRunId": row.corrects_run_id,
        "createdBy": row.created_by,
        "createdAt": row.created_at.isoformat(),
    }
    if row.correction:
        view["correction"] = {
            "reason": row.correction["reason"],
            "changed": sum(1 for _k, p, c in row.correction["differences"] if p != c),
        }
    if history is not None:
        view["history"] = [
            {
                "from": h.from_status,
                "to": h.to_status,
                "actor": h.actor,
                "at": h.at.isoformat(),
                "note": h.note,
            }
            for h in history
        ]
    return view


async def _start(
    session: Any,
    runtime: Runtime,
    body: RunRequest,
    identity: Any,
    response: Response,
    *,
    policy_ref: str,
    corrects: str | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    run_id = await runs.start(
        session,
        policy_ref,
        actor_of(identity),
        _places(runtime),
        year=body.year,
        snapshot_id=body.snapshot_id,
        flags=body.flags,
        park_flags=body.park_flags,
        note=body.note,
        corrects=corrects,
        reason=reason,
    )
    response.headers["Location"] = f"/v1/stats/rewards/runs/{run_id}"
    return _run_view(await runs.run_row(session, run_id), await runs.history(session, run_id))


@router.post(
    "/runs",
    status_code=201,
    response_model=RunOut,
    responses=problems(*COMMON_PROBLEMS, 404),
    summary="Snapshot the inputs, compute and store a draft run",
    **_VIEW,
)
async def create(
    body: RunRequest, identity: CurrentIdentity, session: DbSession, runtime: RuntimeDep, response: Response
) -> dict[str, Any]:
    require_regulator(identity)
    return await _start(session, runtime, body, identity, response, policy_ref=body.policy)


YearParam = Annotated[int | None, Query(ge=2000, le=2100)]
#: A run's amounts come whole by default (an export of every subject), or in keyset pages.
AmountsPage = Annotated[PageRequest, Depends(page_request_for(default_limit=100000, max_limit=100000))]


@router.get(
    "/runs",
    response_model=RunListOut,
    responses=problems(*COMMON_PROBLEMS),
    summary="Runs, newest first",
    **_VIEW,
)
async def list_runs(identity: CurrentIdentity, session: DbSession, year: YearParam = None) -> dict[str, Any]:
    require_regulator(identity)
    return {"runs": [_run_view(r) for r in await runs.runs(session, year)]}


@router.get(
    "/runs/latest",
    response_model=LatestOut,
    responses=problems(*COMMON_PROBLEMS),
    summary="The newest run (published first if any), for the dashboard",
    **_VIEW,
)
async def latest(identity: CurrentIdentity, session: DbSession, year: YearParam = None) -> dict[str, Any]:
    require_regulator(identity)
    every = await runs.runs(session, year)
    chosen = next((r for r in every if r.status == "published"), every[0] if every else None)
    if chosen is None:
        return {"run": None, "top": []}
    return {
        "run": _run_view(chosen),
        "top": [
            {
                "subjectKey": s.subject_key,
                "name": s.name,
                "district": s.district,
                "final": str(money(s.final_fen)),
            }
            for s in await runs.top_subjects(session, chosen.run_id, 10)
        ],
    }


@router.get(
    "/runs/{run_id}",
    response_model=RunOut,
    responses=problems(*COMMON_PROBLEMS, 404),
    summary="A run with its history",
    **_VIEW,
)
async def get_run(run_id: str, identity: CurrentIdentity, session: DbSession) -> dict[str, Any]:
    require_regulator(identity)
    return _run_view(await runs.run_row(session, run_id), await runs.history(session, run_id))


@router.get(
    "/runs/{run_id}/amounts",
    response_class=Response,
    responses=TABLE_ANSWERS | problems(*COMMON_PROBLEMS, 404),
    summary="Every subject's amounts (JSON, CSV or XLSX)",
)
async def amounts(
    run_id: str,
    identity: CurrentIdentity,
    session: DbSession,
    answer: AnswerParam,
    page: AmountsPage,
    offset: Annotated[
        int, Query(ge=0, deprecated=True, description="Rows to skip; page with `cursor` instead.")
    ] = 0,
) -> Response:
    """In subject-key order, up to `limit` a page; `next_cursor` of the JSON is the next page's `cursor`."""
    require_regulator(identity)
    await runs.run_row(session, run_id)
    table = await runs.amounts_table(session, run_id, page, offset)
    return answer(table)


@router.get(
    "/runs/{run_id}/subjects/{subject_key}",
    response_model=SubjectOut,
    responses=problems(*COMMON_PROBLEMS, 404),
    summary="One subject's items and explanation lines",
    **_VIEW,
)
async def subject(
    run_id: str, subject_key: str, identity: CurrentIdentity, session: DbSession
) -> dict[str, Any]:
    require_regulator(identity)
    row = await runs.subject(session, run_id, subject_key)
    return {
        "runId": run_id,
        "subjectKey": subject_key,
        "kind": row.kind,
        "subjectId": row.subject_id,
        "name": row.name,
        "district": row.district,
        "uscc": row.uscc,
        "gross": str(money(row.gross_fen)),
        "capped": str(money(row.capped_fen)),
        "final": str(money(row.final_fen)),
        "rank": row.rank,
        "items": decode_items(row.items),
        "lines": decode_lines(row.lines),
    }


@router.get(
    "/runs/{run_id}/verify",
    response_model=VerifyOut,
    responses=problems(*COMMON_PROBLEMS, 404),
    summary="Recompute the run from its stored snapshot and policy",
    **_VIEW,
)
async def verify(run_id: str, identity: CurrentIdentity, session: DbSession) -> dict[str, Any]:
    """Reproducibility: the same snapshot and policy must give the same amounts to the fen."""
    require_regulator(identity)
    row = await runs.run_row(session, run_id)
    stored = await policies.resolve(session, row.policy_sha256)
    _snapshot_row, snapshot = await runs.stored_snapshot(session, row.snapshot_id)
    result = await runs.compute_off_loop(stored, snapshot)
    recomputed = result.amounts_digest()
    return {
        "runId": run_id,
        "storedDigest": row.amounts_digest,
        "recomputedDigest": recomputed,
        "reproduced": recomputed == row.amounts_digest,
        "total": str(result.total),
    }


async def _step(
    run_id: str, target: str, body: StepRequest | None, identity: Any, session: Any
) -> dict[str, Any]:
    require_regulator(identity)
    await runs.transition(session, run_id, target, actor_of(identity), body.note if body else None)
    return _run_view(await runs.run_row(session, run_id), await runs.history(session, run_id))


_STEP: dict[str, Any] = {"response_model": RunOut, "responses": problems(*COMMON_PROBLEMS, 404, 409), **_VIEW}


@router.post("/runs/{run_id}/review", summary="draft → reviewed (not by its creator)", **_STEP)
async def review(
    run_id: str, identity: CurrentIdentity, session: DbSession, body: StepRequest | None = None
) -> dict[str, Any]:
    return await _step(run_id, "reviewed", body, identity, session)


@router.post(
    "/runs/{run_id}/approve", summary="reviewed → approved (not by its creator or reviewer)", **_STEP
)
async def approve(
    run_id: str, identity: CurrentIdentity, session: DbSession, body: StepRequest | None = None
) -> dict[str, Any]:
    return await _step(run_id, "approved", body, identity, session)


@router.post(
    "/runs/{run_id}/publish", summary="approved → published; afterwards the run never changes", **_STEP
)
async def publish(
    run_id: str, identity: CurrentIdentity, session: DbSession, body: StepRequest | None = None
) -> dict[str, Any]:
    return await _step(run_id, "published", body, identity, session)


@router.post(
    "/runs/{run_id}/corrections",
    status_code=201,
    response_model=RunOut,
    responses=problems(*COMMON_PROBLEMS, 404, 409),
    summary="A new run correcting a published one",
    **_VIEW,
)
async def correct(
    run_id: str,
    body: CorrectionRequest,
    identity: CurrentIdentity,
    session: DbSession,
    runtime: RuntimeDep,
    response: Response,
) -> dict[str, Any]:
    require_regulator(identity)
    target = await runs.run_row(session, run_id)
    return await _start(
        session,
        runtime,
        body,
        identity,
        response,
        policy_ref=body.policy or target.policy_sha256,
        corrects=run_id,
        reason=body.reason,
    )


@router.get(
    "/snapshots/{snapshot_id}",
    response_model=SnapshotOut,
    responses=problems(*COMMON_PROBLEMS, 404),
    summary="A snapshot's summary and the parties it left out",
    **_VIEW,
)
async def snapshot(
    snapshot_id: str, identity: CurrentIdentity, session: DbSession, full: bool = False
) -> dict[str, Any]:
    require_regulator(identity)
    row = await runs.snapshot_row(session, snapshot_id)
    view: dict[str, Any] = {
        "snapshotId": row.snapshot_id,
        "sha256": row.sha256,
        "year": row.year,
        "takenAt": row.taken_at.isoformat(),
        "takenBy": row.taken_by,
        "enterprises": row.enterprises,
        "parks": row.parks,
        "excluded": row.excluded,
    }
    if full:
        view["content"] = json.loads(row.canonical_json)
    return view


# --------------------------------------------------------------------------- exports


@router.post(
    "/runs/{run_id}/exports",
    status_code=202,
    response_model=ExportJobOut,
    responses=problems(*COMMON_PROBLEMS, 404),
    summary="Start an XLSX export job",
)
async def export_job(
    run_id: str,
    identity: CurrentIdentity,
    session: DbSession,
    response: Response,
    body: ExportRequest | None = None,
) -> dict[str, object]:
    require_regulator(identity)
    await runs.run_row(session, run_id)
    job = await request_export(session, run_id, (body or ExportRequest()).explanations, actor_of(identity))
    response.headers["Location"] = f"/v1/stats/rewards/exports/{job.job_id}"
    return describe(job)


@router.get(
    "/runs/{run_id}/export.xlsx",
    response_class=Response,
    responses=_XLSX | problems(*COMMON_PROBLEMS, 404, 409),
    summary="XLSX in the request (small runs only)",
)
async def export_now(
    run_id: str,
    identity: CurrentIdentity,
    session: DbSession,
    runtime: RuntimeDep,
    explanations: Annotated[str, Query()] = "all",
) -> Response:
    require_regulator(identity)
    if explanations not in SCOPES:
        raise ProblemError(VALIDATION_FAILED, f"explanations is one of {list(SCOPES)}")
    settings = runtime.settings
    assert isinstance(settings, StatsSettings)
    if await runs.subject_count(session, run_id) > settings.sync_export_max_subjects:
        raise ProblemError(EXPORT_TOO_LARGE, f"POST /v1/stats/rewards/runs/{run_id}/exports instead.")
    run = await runs.load_run(session, run_id, subjects="all")
    content = run_xlsx_bytes(run, explanations=explanations)  # type: ignore[arg-type]
    return Response(
        content,
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="reward-run-{run_id}-{explanations}.xlsx"'},
    )


@router.get(
    "/exports/{job_id}",
    response_model=ExportJobOut,
    responses=problems(*COMMON_PROBLEMS, 404),
    summary="An export job's status",
)
async def job_status(job_id: str, identity: CurrentIdentity, session: DbSession) -> dict[str, object]:
    require_regulator(identity)
    return describe(await get_job(session, job_id))


@router.get(
    "/exports/{job_id}/file",
    response_class=Response,
    responses=_XLSX | problems(*COMMON_PROBLEMS, 404, 409),
    summary="Download a finished export",
)
async def job_file(job_id: str, identity: CurrentIdentity, session: DbSession) -> Response:
    require_regulator(identity)
    job = await get_job(session, job_id)
    if job.status != "done" or job.content is None:
        raise ProblemError(CONFLICT, f"The export is {job.status}.", status=409)
    return Response(
        job.content,
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{job.filename}"'},
    )
