"""XLSX exports of reward runs, as durable background jobs.

Writing every explanation line of a 20,000-enterprise run takes tens of seconds
(openpyxl, ~10 µs a cell), far longer than a request should. So an export is a row
in ``stats_export_jobs``: requested by the API, picked up by the service's worker
(a background task, the XLSX written in a thread), stored in the database, then
downloaded. A job left ``running`` by a crash is taken up again at the next start.
Small runs can also be exported within the request (``GET …/export.xlsx``).
"""

from __future__ import annotations

import asyncio
import logging
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.rewards import run_xlsx_bytes
from services.stats.rewards.runs.models import ExportJob
from services.stats.rewards.runs.repository import ExportRepository
from services.stats.rewards.runs.service import load_run
from shared.problems import NOT_FOUND, ProblemError
from shared.service import Runtime
from shared.sqltypes import utcnow

log = logging.getLogger("ddt.stats.exports")

SCOPES = ("all", "paid", "none")


async def request_export(session: AsyncSession, run_id: str, explanations: str, actor: str) -> ExportJob:
    """A pending job for the run."""
    job = ExportJob(
        job_id=uuid.uuid4().hex,
        run_id=run_id,
        explanations=explanations,
        status="pending",
        requested_by=actor,
        requested_at=utcnow(),
        attempts=0,
    )
    return await ExportRepository.from_session(session).add(job)


async def get_job(session: AsyncSession, job_id: str) -> ExportJob:
    """An export job, or a 404 problem."""
    found = await ExportRepository.from_session(session).get(job_id)
    if found is None:
        raise ProblemError(NOT_FOUND, "No such export job.")
    return found


def describe(job: ExportJob) -> dict[str, object]:
    """JSON view of a job (never its content)."""
    return {
        "jobId": job.job_id,
        "runId": job.run_id,
        "explanations": job.explanations,
        "status": job.status,
        "requestedBy": job.requested_by,
        "requestedAt": job.requested_at.isoformat(),
        "finishedAt": job.finished_at.isoformat() if job.finished_at else None,
        "error": job.error,
        "filename": job.filename,
        "size": job.size,
        "download": f"/v1/stats/rewards/exports/{job.job_id}/file" if job.status == "done" else None,
    }


async def _claim(runtime: Runtime) -> ExportJob | None:
    async with runtime.db.transaction() as session:
        return await ExportRepository(session).claim_next(utcnow())


async def run_job(runtime: Runtime, job_id: str, max_attempts: int) -> None:
    """Write one job's workbook and store it (or record the failure)."""
    try:
        async with runtime.db.transaction() as session:
            job = await ExportRepository(session).get(job_id)
            assert job is not None
            run = await load_run(session, job.run_id, subjects="all")
            scope = job.explanations
        content = await asyncio.to_thread(run_xlsx_bytes, run, explanations=scope)  # type: ignore[arg-type]
        async with runtime.db.transaction() as session:
            await ExportRepository(session).set(
                job_id,
                status="done",
                finished_at=utcnow(),
                content=content,
                size=len(content),
                error=None,
                filename=f"reward-run-{run.run_id}-{scope}.xlsx",
            )
    except Exception as exc:  # a failed export must not stop the worker
        log.exception("export job failed", extra={"job_id": job_id})
        async with runtime.db.transaction() as session:
            jobs = ExportRepository(session)
            job = await jobs.get(job_id)
            retry = job is not None and job.attempts < max_attempts
            await jobs.set(
                job_id, status="pending" if retry else "failed", error=repr(exc)[:2000], finished_at=utcnow()
            )


async def export_worker(runtime: Runtime, stop: asyncio.Event) -> None:
    """Background task: take up interrupted jobs, then run pending ones as they come."""
    settings = runtime.settings
    poll = float(getattr(settings, "export_poll_seconds", 1.0))
    attempts = int(getattr(settings, "export_job_max_attempts", 3))
    async with runtime.db.transaction() as session:
        await ExportRepository(session).requeue_running()
    while not stop.is_set():
        try:
            job = await _claim(runtime)
        except Exception:
            log.warning("export worker could not read jobs", exc_info=True)
            job = None
        if job is not None:
            await run_job(runtime, job.job_id, attempts)
            continue
        try:
            await asyncio.wait_for(stop.wait(), poll)
        except TimeoutError:
            pass
