"""``/v1/stats/rewards/…`` — policies, runs, their review, corrections and exports (regulators)."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from services.stats.access import actor_of, require_regulator
from services.stats.exports.render import XLSX_TYPE
from services.stats.exports.responses import FormatParam, LangParam, respond
from services.stats.queries.results import Column, ResultTable, money
from services.stats.reference.places import Place, PlaceDirectory
from services.stats.rewards import RewardsError, run_xlsx_bytes
from services.stats.rewards.runs import policies
from services.stats.rewards.runs import service as runs
from services.stats.rewards.runs.encoding import decode_items, decode_lines
from services.stats.rewards.runs.exports import SCOPES, describe, request_export
from services.stats.rewards.runs.models import ExportJob, RewardRunRow, RewardRunSubject, RewardSnapshot
from services.stats.rewards.runs.problems import EXPORT_TOO_LARGE, problem_from
from services.stats.rewards.runs.snapshot import build
from services.stats.settings import StatsSettings
from shared.identity import CurrentIdentity
from shared.problems import CONFLICT, NOT_FOUND, VALIDATION_FAILED, ProblemError
from shared.service import DbSession, Runtime, RuntimeDep

router = APIRouter(prefix="/v1/stats/rewards", tags=["reward runs"])

Flags = dict[str, dict[str, bool]]


class RunRequest(BaseModel):
    """Start a run: a policy, and either a year (a new snapshot of the facts) or a stored snapshot."""

    model_config = ConfigDict(extra="forbid")

    policy: str = Field(description="sha256:… of a stored policy, or a policy_id (latest upload)")
    year: int | None = Field(default=None, ge=2000, le=2100, description="default: the policy's year")
    snapshot_id: str | None = Field(
        default=None, description="re-run a stored snapshot instead of taking a new one"
    )
    flags: Flags = Field(default_factory=dict, description="per party: flags the platform cannot know")
    park_flags: Flags = Field(default_factory=dict, description="per park/incubator: e.g. certified")
    note: str | None = Field(default=None, max_length=2000)


class CorrectionRequest(RunRequest):
    """A correction of a published run: same inputs as a run, plus the reason."""

    policy: str | None = Field(default=None, description="default: the corrected run's policy")  # type: ignore[assignment]
    reason: str = Field(min_length=1, max_length=2000)


class StepRequest(BaseModel):
    """A review step's note."""

    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(default=None, max_length=2000)


class ExportRequest(BaseModel):
    """Which explanation lines the workbook carries."""

    model_config = ConfigDict(extra="forbid")

    explanations: Literal["all", "paid", "none"] = "all"


def _places(runtime: Runtime) -> dict[str, Place]:
    directory = runtime.components.find(PlaceDirectory)
    return directory.places if directory is not None else {}


# --------------------------------------------------------------------------- policies


@router.post("/policies", status_code=201, summary="Upload a policy file (validated; errors name the path)")
async def upload_policy(identity: CurrentIdentity, session: DbSession, request: Request) -> JSONResponse:
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
    return JSONResponse(policies.describe(row), status_code=201 if created else 200)


@router.get("/policies", summary="Stored policies")
async def list_policies(identity: CurrentIdentity, session: DbSession) -> dict[str, Any]:
    require_regulator(identity)
    return {"policies": [policies.describe(r) for r in await policies.listing(session)]}


@router.get("/policies/{ref}", summary="One policy with its source text")
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
    runtime: Any,
    body: RunRequest,
    identity: Any,
    *,
    policy_ref: str,
    corrects: str | None = None,
    reason: str | None = None,
) -> JSONResponse:
    stored = await policies.resolve(session, policy_ref)
    actor = actor_of(identity)
    computing: asyncio.Future[Any] | None = None
    if body.snapshot_id:
        snapshot_row, snapshot = await runs.stored_snapshot(session, body.snapshot_id)
    else:
        try:
            built = await build(
                session,
                body.year or stored.policy.year,
                _places(runtime),
                flags=body.flags,
                park_flags=body.park_flags,
            )
        except RewardsError as exc:
            raise problem_from(exc) from None
        snapshot = built.snapshot
        # The computation (a worker thread) overlaps with writing the snapshot (the database's work).
        computing = asyncio.ensure_future(runs.compute_off_loop(stored, snapshot))
        try:
            snapshot_row = await runs.store_snapshot(session, built, actor)
        except BaseException:
            computing.cancel()
            raise
    result = await computing if computing is not None else None
    run = await runs.new_run(
        session, stored, snapshot_row, snapshot, actor, body.note, corrects, reason, result=result
    )
    row = await runs.run_row(session, run.run_id)
    return JSONResponse(
        _run_view(row, await runs.history(session, run.run_id)),
        status_code=201,
        headers={"Location": f"/v1/stats/rewards/runs/{run.run_id}"},
    )


@router.post("/runs", status_code=201, summary="Snapshot the inputs, compute and store a draft run")
async def create(
    body: RunRequest, identity: CurrentIdentity, session: DbSession, runtime: RuntimeDep
) -> JSONResponse:
    require_regulator(identity)
    return await _start(session, runtime, body, identity, policy_ref=body.policy)


@router.get("/runs", summary="Runs, newest first")
async def list_runs(
    identity: CurrentIdentity, session: DbSession, year: Annotated[int | None, Query(ge=2000, le=2100)] = None
) -> dict[str, Any]:
    require_regulator(identity)
    return {"runs": [_run_view(r) for r in await runs.runs(session, year)]}


@router.get("/runs/latest", summary="The newest run (published first if any), for the dashboard")
async def latest(
    identity: CurrentIdentity, session: DbSession, year: Annotated[int | None, Query(ge=2000, le=2100)] = None
) -> dict[str, Any]:
    require_regulator(identity)
    every = await runs.runs(session, year)
    chosen = next((r for r in every if r.status == "published"), every[0] if every else None)
    if chosen is None:
        return {"run": None, "top": []}
    top = (
        await session.scalars(
            select(RewardRunSubject)
            .where(RewardRunSubject.run_id == chosen.run_id)
            .order_by(RewardRunSubject.final_fen.desc(), RewardRunSubject.subject_key)
            .limit(10)
        )
    ).all()
    return {
        "run": _run_view(chosen),
        "top": [
            {
                "subjectKey": s.subject_key,
                "name": s.name,
                "district": s.district,
                "final": str(money(s.final_fen)),
            }
            for s in top
        ],
    }


@router.get("/runs/{run_id}", summary="A run with its history")
async def get_run(run_id: str, identity: CurrentIdentity, session: DbSession) -> dict[str, Any]:
    require_regulator(identity)
    return _run_view(await runs.run_row(session, run_id), await runs.history(session, run_id))


@router.get("/runs/{run_id}/amounts", summary="Every subject's amounts (JSON, CSV or XLSX)")
async def amounts(
    run_id: str,
    identity: CurrentIdentity,
    session: DbSession,
    fmt: FormatParam = "json",
    lang: LangParam = "zh",
    limit: Annotated[int, Query(ge=1, le=100000)] = 100000,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    require_regulator(identity)
    await runs.run_row(session, run_id)
    rows = (
        await session.execute(
            select(
                RewardRunSubject.subject_key,
                RewardRunSubject.kind,
                RewardRunSubject.subject_id,
                RewardRunSubject.name,
                RewardRunSubject.district,
                RewardRunSubject.uscc,
                RewardRunSubject.gross_fen,
                RewardRunSubject.capped_fen,
                RewardRunSubject.final_fen,
                RewardRunSubject.rank,
            )
            .where(RewardRunSubject.run_id == run_id)
            .order_by(RewardRunSubject.subject_key)
            .limit(limit)
            .offset(offset)
        )
    ).all()
    table = ResultTable(
        f"reward-run-{run_id[:8]}",
        "奖励金额",
        "Reward amounts",
        [
            Column("subject_key"),
            Column("kind"),
            Column("subject_id"),
            Column("name"),
            Column("district"),
            Column("uscc"),
            Column("gross", "money"),
            Column("capped", "money"),
            Column("final", "money"),
            Column("rank", "int"),
        ],
        [
            {
                "subject_key": r.subject_key,
                "kind": r.kind,
                "subject_id": r.subject_id,
                "name": r.name,
                "district": r.district,
                "uscc": r.uscc,
                "gross": r.gross_fen,
                "capped": r.capped_fen,
                "final": r.final_fen,
                "rank": r.rank,
            }
            for r in rows
        ],
        {"run": run_id, "limit": limit, "offset": offset},
    )
    return respond(table, fmt, lang)


@router.get("/runs/{run_id}/subjects/{subject_key}", summary="One subject's items and explanation lines")
async def subject(
    run_id: str, subject_key: str, identity: CurrentIdentity, session: DbSession
) -> dict[str, Any]:
    require_regulator(identity)
    row = await session.get(RewardRunSubject, (run_id, subject_key))
    if row is None:
        raise ProblemError(NOT_FOUND, f"No subject {subject_key!r} in run {run_id!r}.")
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


@router.get("/runs/{run_id}/verify", summary="Recompute the run from its stored snapshot and policy")
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


@router.post("/runs/{run_id}/review", summary="draft → reviewed (not by its creator)")
async def review(
    run_id: str, identity: CurrentIdentity, session: DbSession, body: StepRequest | None = None
) -> dict[str, Any]:
    return await _step(run_id, "reviewed", body, identity, session)


@router.post("/runs/{run_id}/approve", summary="reviewed → approved (not by its creator or reviewer)")
async def approve(
    run_id: str, identity: CurrentIdentity, session: DbSession, body: StepRequest | None = None
) -> dict[str, Any]:
    return await _step(run_id, "approved", body, identity, session)


@router.post("/runs/{run_id}/publish", summary="approved → published; afterwards the run never changes")
async def publish(
    run_id: str, identity: CurrentIdentity, session: DbSession, body: StepRequest | None = None
) -> dict[str, Any]:
    return await _step(run_id, "published", body, identity, session)


@router.post("/runs/{run_id}/corrections", status_code=201, summary="A new run correcting a published one")
async def correct(
    run_id: str, body: CorrectionRequest, identity: CurrentIdentity, session: DbSession, runtime: RuntimeDep
) -> JSONResponse:
    require_regulator(identity)
    target = await runs.run_row(session, run_id)
    return await _start(
        session,
        runtime,
        body,
        identity,
        policy_ref=body.policy or target.policy_sha256,
        corrects=run_id,
        reason=body.reason,
    )


@router.get("/snapshots/{snapshot_id}", summary="A snapshot's summary and the parties it left out")
async def snapshot(
    snapshot_id: str, identity: CurrentIdentity, session: DbSession, full: bool = False
) -> dict[str, Any]:
    require_regulator(identity)
    row = await session.get(RewardSnapshot, snapshot_id)
    if row is None:
        raise ProblemError(NOT_FOUND, f"No snapshot {snapshot_id!r}.")
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


@router.post("/runs/{run_id}/exports", status_code=202, summary="Start an XLSX export job")
async def export_job(
    run_id: str, identity: CurrentIdentity, session: DbSession, body: ExportRequest | None = None
) -> JSONResponse:
    require_regulator(identity)
    await runs.run_row(session, run_id)
    job = await request_export(session, run_id, (body or ExportRequest()).explanations, actor_of(identity))
    return JSONResponse(
        describe(job), status_code=202, headers={"Location": f"/v1/stats/rewards/exports/{job.job_id}"}
    )


@router.get("/runs/{run_id}/export.xlsx", summary="XLSX in the request (small runs only)")
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


@router.get("/exports/{job_id}", summary="An export job's status")
async def job_status(job_id: str, identity: CurrentIdentity, session: DbSession) -> dict[str, Any]:
    require_regulator(identity)
    job = await session.get(ExportJob, job_id)
    if job is None:
        raise ProblemError(NOT_FOUND, "No such export job.")
    return describe(job)


@router.get("/exports/{job_id}/file", summary="Download a finished export")
async def job_file(job_id: str, identity: CurrentIdentity, session: DbSession) -> Response:
    require_regulator(identity)
    job = await session.get(ExportJob, job_id)
    if job is None:
        raise ProblemError(NOT_FOUND, "No such export job.")
    if job.status != "done" or job.content is None:
        raise ProblemError(CONFLICT, f"The export is {job.status}.", status=409)
    return Response(
        job.content,
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{job.filename}"'},
    )
