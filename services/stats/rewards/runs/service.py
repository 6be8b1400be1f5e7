"""Reward runs in storage: create (snapshot + compute), read, move through review, correct.

The rules are the core's (:mod:`services.stats.rewards`); this module keeps runs in
the database. A run's rows hold all of ``run_to_data``: the header, one row per
subject with its items and explanation lines, the append-only history. Every
transition locks the run row, replays the core's rule on the stored history and
appends one history row; a published run refuses everything (409), so its rows
never change again. A correction is a new run whose ``corrects_run_id`` points at
the published one.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.queries.results import Column, ResultTable
from services.stats.reference.places import Place
from services.stats.rewards import (
    RewardRun,
    RewardsError,
    RunResult,
    Snapshot,
    SubjectResult,
    compute,
    create_correction,
    create_run,
    loads_snapshot,
    result_from_data,
    result_to_data,
)
from services.stats.rewards.lifecycle import AmountDifference, Correction, RunStatus, StatusChange
from services.stats.rewards.money import from_fen, to_fen
from services.stats.rewards.runs.encoding import decode_items, decode_lines, encode_items, encode_lines
from services.stats.rewards.runs.models import (
    RewardRunHistory,
    RewardRunRow,
    RewardRunSubject,
    RewardSnapshot,
)
from services.stats.rewards.runs.policies import StoredPolicy, resolve
from services.stats.rewards.runs.problems import problem_from
from services.stats.rewards.runs.repository import RunRepository
from services.stats.rewards.runs.snapshot import BuiltSnapshot, build
from services.stats.rewards.sources import sha256_hex
from shared.kit.pagination import PageRequest
from shared.problems import NOT_FOUND, ProblemError

_CHUNK = 1000


async def store_snapshot(session: AsyncSession, built: BuiltSnapshot, actor: str) -> RewardSnapshot:
    """Keep a snapshot (its canonical JSON is what a re-run reads back)."""
    snapshot = built.snapshot
    canonical = snapshot.canonical_json()  # once: it is the costly part of hashing 20,000 enterprises
    sha = sha256_hex(canonical)
    repository = RunRepository.from_session(session)
    existing = await repository.snapshot_by_hash(sha)
    if existing is not None:
        return existing
    row = RewardSnapshot(
        snapshot_id=snapshot.snapshot_id,
        sha256=sha,
        year=snapshot.year,
        taken_at=snapshot.taken_at,
        taken_by=actor,
        enterprises=len(snapshot.enterprises),
        parks=len(snapshot.parks),
        excluded=built.excluded,
        canonical_json=canonical.decode(),
    )
    await repository.add(row)
    return row


async def stored_snapshot(session: AsyncSession, snapshot_id: str) -> tuple[RewardSnapshot, Snapshot]:
    """A stored snapshot, validated again from its canonical JSON."""
    row = await snapshot_row(session, snapshot_id)
    try:
        return row, loads_snapshot(row.canonical_json, "json")
    except RewardsError as exc:
        raise problem_from(exc) from None


async def compute_off_loop(stored: StoredPolicy, snapshot: Snapshot) -> RunResult:
    """The core's computation in a worker thread (it is CPU-bound: seconds for 20,000 enterprises)."""
    try:
        return await asyncio.to_thread(compute, stored.policy, snapshot)
    except RewardsError as exc:
        raise problem_from(exc) from None


def _history_rows(run: RewardRun, start: int = 0) -> list[dict[str, Any]]:
    return [
        {
            "run_id": run.run_id,
            "seq": index,
            "from_status": None if c.from_status is None else c.from_status.value,
            "to_status": c.to_status.value,
            "actor": c.actor,
            "at": c.at,
            "note": c.note,
        }
        for index, c in enumerate(run.history)
        if index >= start
    ]


async def store_run(session: AsyncSession, run: RewardRun, policy_sha: str, snapshot_id: str) -> RewardRunRow:
    """Insert a new (draft) run with its subjects and first history row."""
    # The header only: the subjects are encoded compactly below (result_to_data would take seconds).
    data = result_to_data(replace(run.result, subjects=()))
    data.pop("subjects")
    subjects = run.result.subjects
    correction = None
    if run.correction is not None:
        correction = {
            "corrects_run_id": run.correction.corrects_run_id,
            "corrects_amounts_digest": run.correction.corrects_amounts_digest,
            "reason": run.correction.reason,
            "differences": [
                [d.subject_key, str(d.previous), str(d.current)] for d in run.correction.differences
            ],
        }
    row = RewardRunRow(
        run_id=run.run_id,
        year=run.result.year,
        status=run.status.value,
        policy_sha256=policy_sha,
        snapshot_id=snapshot_id,
        amounts_digest=run.amounts_digest,
        separation_of_duties=run.separation_of_duties,
        total_fen=to_fen(run.result.total),
        demand_fen=to_fen(run.result.budget.demand),
        subjects=len(subjects),
        header=data,
        corrects_run_id=run.correction.corrects_run_id if run.correction else None,
        correction=correction,
        created_by=run.created_by,
        created_at=run.created_at,
    )
    repository = RunRepository.from_session(session)
    await repository.add(row)
    await _insert_subjects(repository, run.run_id, run.result.subjects)
    await repository.insert_history(_history_rows(run))
    return row


def _subject_rows(run_id: str, subjects: tuple[SubjectResult, ...]) -> list[dict[str, Any]]:
    return [
        {
            "run_id": run_id,
            "subject_key": s.key,
            "kind": s.kind.value,
            "subject_id": s.subject_id,
            "name": s.name[:400],
            "district": s.district,
            "uscc": s.uscc,
            "gross_fen": to_fen(s.gross),
            "capped_fen": to_fen(s.capped),
            "final_fen": to_fen(s.final),
            "rank": s.rank,
            "items": encode_items(s),
            "lines": encode_lines(s),
        }
        for s in subjects
    ]


async def _insert_subjects(
    repository: RunRepository, run_id: str, subjects: tuple[SubjectResult, ...]
) -> None:
    """Insert the subject rows in chunks, encoding the next chunk (a thread) while the database
    writes the current one: on two cores that overlaps Python's work with PostgreSQL's."""
    chunks = [subjects[i : i + _CHUNK] for i in range(0, len(subjects), _CHUNK)]
    if not chunks:
        return
    pending = asyncio.ensure_future(asyncio.to_thread(_subject_rows, run_id, chunks[0]))
    for index in range(len(chunks)):
        rows = await pending
        if index + 1 < len(chunks):
            pending = asyncio.ensure_future(asyncio.to_thread(_subject_rows, run_id, chunks[index + 1]))
        await repository.insert_subjects(rows)


async def run_row(session: AsyncSession, run_id: str, *, lock: bool = False) -> RewardRunRow:
    """The run's row (locked FOR UPDATE on PostgreSQL when changing it)."""
    row = await RunRepository.from_session(session).run(run_id, lock=lock)
    if row is None:
        raise ProblemError(NOT_FOUND, f"No reward run {run_id!r}.")
    return row


async def history(session: AsyncSession, run_id: str) -> list[RewardRunHistory]:
    """The run's history in order."""
    return await RunRepository.from_session(session).history(run_id)


async def load_run(session: AsyncSession, run_id: str, *, subjects: str = "none") -> RewardRun:
    """A stored run as the core's value. ``subjects``: ``none``, ``amounts`` (no lines) or ``all``."""
    row = await run_row(session, run_id)
    subject_rows: list[dict[str, Any]] = []
    if subjects != "none":
        for r in await RunRepository.from_session(session).subjects(run_id, lines=subjects == "all"):
            subject_rows.append(
                {
                    "kind": r.kind,
                    "subject_id": r.subject_id,
                    "name": r.name,
                    "district": r.district,
                    "uscc": r.uscc,
                    "items": decode_items(r.items),
                    "gross": _yuan(r.gross_fen),
                    "capped": _yuan(r.capped_fen),
                    "final": _yuan(r.final_fen),
                    "rank": r.rank,
                    "lines": decode_lines(r.lines) if subjects == "all" else [],
                }
            )
    result_data = dict(row.header) | {"subjects": subject_rows}
    changes = tuple(
        StatusChange(
            None if h.from_status is None else RunStatus(h.from_status),
            RunStatus(h.to_status),
            h.actor,
            h.at,
            h.note,
        )
        for h in await history(session, run_id)
    )
    correction = None
    if row.correction:
        c = row.correction
        correction = Correction(
            c["corrects_run_id"],
            c["corrects_amounts_digest"],
            c["reason"],
            tuple(AmountDifference(k, _dec(p), _dec(n)) for k, p, n in c["differences"]),
        )
    return RewardRun(
        run_id=row.run_id,
        result=result_from_data(result_data),
        history=changes,
        separation_of_duties=row.separation_of_duties,
        amounts_digest=row.amounts_digest,
        correction=correction,
    )


def _dec(value: str) -> Decimal:
    return Decimal(value)


def _yuan(fen: int) -> str:
    return str(from_fen(int(fen)))


async def transition(
    session: AsyncSession, run_id: str, target: str, actor: str, note: str | None
) -> RewardRun:
    """Move a run one step (review, approve, publish) under the core's rules."""
    await run_row(session, run_id, lock=True)
    run = await load_run(session, run_id)
    step = {"reviewed": run.review, "approved": run.approve, "published": run.publish}[target]
    try:
        moved = step(actor, at=max(dt.datetime.now(dt.UTC), run.history[-1].at), note=note)
    except RewardsError as exc:
        raise problem_from(exc) from None
    repository = RunRepository.from_session(session)
    await repository.insert_history(_history_rows(moved, start=len(run.history)))
    await repository.set_status(run_id, target)
    return moved


async def new_run(
    session: AsyncSession,
    stored: StoredPolicy,
    snapshot_row: RewardSnapshot,
    snapshot: Snapshot,
    actor: str,
    note: str | None,
    corrects: str | None = None,
    reason: str | None = None,
    *,
    result: RunResult | None = None,
) -> RewardRun:
    """Compute (unless ``result`` is given) and store a draft run (or a correction of a published run)."""
    if result is None:
        result = await compute_off_loop(stored, snapshot)
    try:
        if corrects is None:
            run = create_run(result, actor, note=note)
        else:
            target = await load_run(session, corrects, subjects="amounts")
            run = create_correction(target, result, actor, reason or "")
    except RewardsError as exc:
        raise problem_from(exc) from None
    await store_run(session, run, stored.row.sha256, snapshot_row.snapshot_id)
    return run


async def runs(session: AsyncSession, year: int | None) -> list[RewardRunRow]:
    """Runs, newest first."""
    return await RunRepository.from_session(session).runs(year)


async def subject_count(session: AsyncSession, run_id: str) -> int:
    """How many subjects the run has."""
    return await RunRepository.from_session(session).subject_count(run_id)


async def top_subjects(session: AsyncSession, run_id: str, n: int = 10) -> list[RewardRunSubject]:
    """The run's ``n`` largest final amounts."""
    return await RunRepository.from_session(session).top(run_id, n)


async def subject(session: AsyncSession, run_id: str, subject_key: str) -> RewardRunSubject:
    """One subject of a run, or a 404 problem."""
    row = await RunRepository.from_session(session).subject(run_id, subject_key)
    if row is None:
        raise ProblemError(NOT_FOUND, f"No subject {subject_key!r} in run {run_id!r}.")
    return row


async def snapshot_row(session: AsyncSession, snapshot_id: str) -> RewardSnapshot:
    """A stored snapshot's row, or a 404 problem."""
    row = await RunRepository.from_session(session).snapshot(snapshot_id)
    if row is None:
        raise ProblemError(NOT_FOUND, f"No snapshot {snapshot_id!r}.")
    return row


async def start(
    session: AsyncSession,
    policy_ref: str,
    actor: str,
    places: dict[str, Place],
    *,
    year: int | None = None,
    snapshot_id: str | None = None,
    flags: dict[str, dict[str, bool]] | None = None,
    park_flags: dict[str, dict[str, bool]] | None = None,
    note: str | None = None,
    corrects: str | None = None,
    reason: str | None = None,
) -> str:
    """Snapshot the facts (or take a stored snapshot), compute and store a draft run; its id."""
    stored = await resolve(session, policy_ref)
    computing: asyncio.Future[Any] | None = None
    if snapshot_id:
        snapshot_row, snapshot = await stored_snapshot(session, snapshot_id)
    else:
        try:
            built = await build(
                session, year or stored.policy.year, places, flags=flags, park_flags=park_flags
            )
        except RewardsError as exc:
            raise problem_from(exc) from None
        snapshot = built.snapshot
        # The computation (a worker thread) overlaps with writing the snapshot (the database's work).
        computing = asyncio.ensure_future(compute_off_loop(stored, snapshot))
        try:
            snapshot_row = await store_snapshot(session, built, actor)
        except BaseException:
            computing.cancel()
            raise
    result = await computing if computing is not None else None
    run = await new_run(session, stored, snapshot_row, snapshot, actor, note, corrects, reason, result=result)
    return run.run_id


async def amounts_table(
    session: AsyncSession, run_id: str, page: PageRequest, offset: int = 0
) -> ResultTable:
    """A page of every subject's amounts, as a result table (JSON, CSV or XLSX); the JSON names
    the next page's cursor (``next_cursor``, null on the last page)."""
    rows, next_cursor = await RunRepository.from_session(session).amounts(run_id, page, offset)
    return ResultTable(
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
        {"run": run_id, "limit": page.limit, "offset": offset},
        {"next_cursor": next_cursor},
    )
