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

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.base import table_of
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
from services.stats.rewards.runs.policies import StoredPolicy
from services.stats.rewards.runs.problems import problem_from
from services.stats.rewards.runs.snapshot import BuiltSnapshot
from services.stats.rewards.sources import sha256_hex
from shared.problems import NOT_FOUND, ProblemError

_CHUNK = 1000


async def store_snapshot(session: AsyncSession, built: BuiltSnapshot, actor: str) -> RewardSnapshot:
    """Keep a snapshot (its canonical JSON is what a re-run reads back)."""
    snapshot = built.snapshot
    canonical = snapshot.canonical_json()  # once: it is the costly part of hashing 20,000 enterprises
    sha = sha256_hex(canonical)
    existing = (await session.scalars(select(RewardSnapshot).where(RewardSnapshot.sha256 == sha))).first()
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
    session.add(row)
    await session.flush()
    return row


async def stored_snapshot(session: AsyncSession, snapshot_id: str) -> tuple[RewardSnapshot, Snapshot]:
    """A stored snapshot, validated again from its canonical JSON."""
    row = await session.get(RewardSnapshot, snapshot_id)
    if row is None:
        raise ProblemError(NOT_FOUND, f"No snapshot {snapshot_id!r}.")
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
    session.add(row)
    await session.flush()
    await _insert_subjects(session, run.run_id, run.result.subjects)
    await session.execute(table_of(RewardRunHistory).insert(), _history_rows(run))
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


async def _insert_subjects(session: AsyncSession, run_id: str, subjects: tuple[SubjectResult, ...]) -> None:
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
        await session.execute(table_of(RewardRunSubject).insert(), rows)


async def run_row(session: AsyncSession, run_id: str, *, lock: bool = False) -> RewardRunRow:
    """The run's row (locked FOR UPDATE on PostgreSQL when changing it)."""
    query = select(RewardRunRow).where(RewardRunRow.run_id == run_id)
    if lock:
        query = query.with_for_update()
    row = (await session.scalars(query)).first()
    if row is None:
        raise ProblemError(NOT_FOUND, f"No reward run {run_id!r}.")
    return row


async def history(session: AsyncSession, run_id: str) -> list[RewardRunHistory]:
    return list(
        (
            await session.scalars(
                select(RewardRunHistory)
                .where(RewardRunHistory.run_id == run_id)
                .order_by(RewardRunHistory.seq)
            )
        ).all()
    )


async def load_run(session: AsyncSession, run_id: str, *, subjects: str = "none") -> RewardRun:
    """A stored run as the core's value. ``subjects``: ``none``, ``amounts`` (no lines) or ``all``."""
    row = await run_row(session, run_id)
    subject_rows: list[dict[str, Any]] = []
    if subjects != "none":
        columns = [
            RewardRunSubject.kind,
            RewardRunSubject.subject_id,
            RewardRunSubject.name,
            RewardRunSubject.district,
            RewardRunSubject.uscc,
            RewardRunSubject.gross_fen,
            RewardRunSubject.capped_fen,
            RewardRunSubject.final_fen,
            RewardRunSubject.rank,
            RewardRunSubject.items,
        ]
        if subjects == "all":
            columns.append(RewardRunSubject.lines)
        result = await session.execute(
            select(*columns).where(RewardRunSubject.run_id == run_id).order_by(RewardRunSubject.subject_key)
        )
        for r in result:
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
    await session.execute(table_of(RewardRunHistory).insert(), _history_rows(moved, start=len(run.history)))
    await session.execute(update(RewardRunRow).where(RewardRunRow.run_id == run_id).values(status=target))
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
    query = select(RewardRunRow).order_by(RewardRunRow.created_at.desc())
    if year is not None:
        query = query.where(RewardRunRow.year == year)
    return list((await session.scalars(query)).all())


async def subject_count(session: AsyncSession, run_id: str) -> int:
    return int(
        await session.scalar(
            select(func.count()).select_from(RewardRunSubject).where(RewardRunSubject.run_id == run_id)
        )
        or 0
    )
