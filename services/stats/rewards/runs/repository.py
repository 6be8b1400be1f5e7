"""Every SQL statement of reward runs: policies, snapshots, runs, their subjects and history, export jobs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update

from services.stats.base import table_of
from services.stats.rewards.runs.models import (
    ExportJob,
    RewardPolicy,
    RewardRunHistory,
    RewardRunRow,
    RewardRunSubject,
    RewardSnapshot,
)
from shared.kit.pagination import Keyset, PageRequest
from shared.kit.repository import Repository

#: The subject columns a run's amounts (and its loaded value) read, in order.
_AMOUNT_COLUMNS = (
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


#: A run's subjects in subject-key order (unique within a run).
SUBJECT_ORDER = Keyset([RewardRunSubject.subject_key], ["str"], descending=False)


class PolicyRepository(Repository):
    """Stored reward policies."""

    async def add(self, row: dict[str, Any]) -> bool:
        """Keep a policy unless one with its hash is stored; True if it was new."""
        return 0 < await self.insert_ignore(table_of(RewardPolicy), row)

    async def get(self, sha256: str) -> RewardPolicy | None:
        """The policy with this ``sha256:…``, or None."""
        return await self.session.get(RewardPolicy, sha256)

    async def latest(self, policy_id: str) -> RewardPolicy | None:
        """The latest upload of ``policy_id``, or None."""
        stmt = (
            select(RewardPolicy)
            .where(RewardPolicy.policy_id == policy_id)
            .order_by(RewardPolicy.uploaded_at.desc())
            .limit(1)
        )
        return (await self.session.scalars(stmt)).first()

    async def listing(self) -> list[RewardPolicy]:
        """Every stored policy, newest first."""
        stmt = select(RewardPolicy).order_by(RewardPolicy.uploaded_at.desc())
        return list((await self.session.scalars(stmt)).all())


class RunRepository(Repository):
    """Snapshots, runs, their subjects and history."""

    async def snapshot_by_hash(self, sha256: str) -> RewardSnapshot | None:
        """The stored snapshot with this content hash, or None."""
        stmt = select(RewardSnapshot).where(RewardSnapshot.sha256 == sha256)
        return (await self.session.scalars(stmt)).first()

    async def snapshot(self, snapshot_id: str) -> RewardSnapshot | None:
        """A stored snapshot, or None."""
        return await self.session.get(RewardSnapshot, snapshot_id)

    async def add(self, row: RewardSnapshot | RewardRunRow) -> None:
        """Write a new snapshot or run row now (its id is referenced next)."""
        self.session.add(row)
        await self.session.flush()

    async def insert_subjects(self, rows: list[dict[str, Any]]) -> None:
        """Subject rows of a run (one statement)."""
        await self.session.execute(table_of(RewardRunSubject).insert(), rows)

    async def insert_history(self, rows: list[dict[str, Any]]) -> None:
        """History rows of a run."""
        await self.session.execute(table_of(RewardRunHistory).insert(), rows)

    async def run(self, run_id: str, *, lock: bool = False) -> RewardRunRow | None:
        """The run's row (locked FOR UPDATE on PostgreSQL with ``lock``), or None."""
        stmt = select(RewardRunRow).where(RewardRunRow.run_id == run_id)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.session.scalars(stmt)).first()

    async def set_status(self, run_id: str, status: str) -> None:
        """The run's current status."""
        await self.session.execute(
            update(RewardRunRow).where(RewardRunRow.run_id == run_id).values(status=status)
        )

    async def history(self, run_id: str) -> list[RewardRunHistory]:
        """The run's history in order."""
        stmt = (
            select(RewardRunHistory).where(RewardRunHistory.run_id == run_id).order_by(RewardRunHistory.seq)
        )
        return list((await self.session.scalars(stmt)).all())

    async def runs(self, year: int | None) -> list[RewardRunRow]:
        """Runs, newest first (of ``year`` if given)."""
        stmt = select(RewardRunRow).order_by(RewardRunRow.created_at.desc())
        if year is not None:
            stmt = stmt.where(RewardRunRow.year == year)
        return list((await self.session.scalars(stmt)).all())

    async def subject_count(self, run_id: str) -> int:
        """How many subjects the run has."""
        stmt = select(func.count()).select_from(RewardRunSubject).where(RewardRunSubject.run_id == run_id)
        return int(await self.session.scalar(stmt) or 0)

    async def subject(self, run_id: str, subject_key: str) -> RewardRunSubject | None:
        """One subject of a run, or None."""
        return await self.session.get(RewardRunSubject, (run_id, subject_key))

    async def top(self, run_id: str, n: int) -> list[RewardRunSubject]:
        """The ``n`` subjects with the largest final amounts."""
        stmt = (
            select(RewardRunSubject)
            .where(RewardRunSubject.run_id == run_id)
            .order_by(RewardRunSubject.final_fen.desc(), RewardRunSubject.subject_key)
            .limit(n)
        )
        return list((await self.session.scalars(stmt)).all())

    async def amounts(self, run_id: str, page: PageRequest, offset: int = 0) -> tuple[list[Any], str | None]:
        """A page of the subjects' amounts (no items or lines) in subject-key order, and the next cursor.

        ``offset`` (the older way to page) skips rows after the cursor's position.
        """
        stmt: Any = select(*_AMOUNT_COLUMNS).where(RewardRunSubject.run_id == run_id).offset(offset)
        return await self.page(stmt, SUBJECT_ORDER, page, key=lambda r: (r.subject_key,), scalars=False)

    async def subjects(self, run_id: str, *, lines: bool) -> Sequence[Any]:
        """The subjects with their items (and explanation lines with ``lines``) in subject-key order."""
        columns: list[Any] = [*_AMOUNT_COLUMNS, RewardRunSubject.items]
        if lines:
            columns.append(RewardRunSubject.lines)
        stmt = (
            select(*columns).where(RewardRunSubject.run_id == run_id).order_by(RewardRunSubject.subject_key)
        )
        return (await self.session.execute(stmt)).all()


class ExportRepository(Repository):
    """XLSX export jobs."""

    async def add(self, job: ExportJob) -> ExportJob:
        """A new job, written now."""
        self.session.add(job)
        await self.session.flush()
        return job

    async def get(self, job_id: str) -> ExportJob | None:
        """A job, or None."""
        return await self.session.get(ExportJob, job_id)

    async def claim_next(self, now: dt.datetime) -> ExportJob | None:
        """Mark the oldest pending job running (unless another worker took it first); the job or None."""
        stmt = (
            select(ExportJob).where(ExportJob.status == "pending").order_by(ExportJob.requested_at).limit(1)
        )
        job = (await self.session.scalars(stmt)).first()
        if job is None:
            return None
        claimed = await self.session.execute(
            update(ExportJob)
            .where(ExportJob.job_id == job.job_id, ExportJob.status == "pending")
            .values(status="running", started_at=now, attempts=ExportJob.attempts + 1)
        )
        return job if cast(CursorResult[Any], claimed).rowcount else None

    async def set(self, job_id: str, **values: Any) -> None:
        """Change a job's columns."""
        await self.session.execute(update(ExportJob).where(ExportJob.job_id == job_id).values(**values))

    async def requeue_running(self) -> None:
        """Jobs left running (by a crash) are pending again."""
        await self.session.execute(
            update(ExportJob).where(ExportJob.status == "running").values(status="pending")
        )
