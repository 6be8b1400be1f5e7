"""Storage of reward policies, input snapshots, runs, their history and export jobs.

A run row plus its subject rows hold everything :func:`..lifecycle.run_from_data`
needs, so a stored run can be re-read, verified against its amounts digest and
exported. History rows are append-only; the service refuses every change to a
published run (the core enforces the rules, the service the storage).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.stats.base import Base
from shared.sqltypes import JSONText, UTCDateTime


class RewardPolicy(Base):
    """An uploaded (validated) policy file, identified by the hash of its canonical form."""

    __tablename__ = "stats_reward_policies"

    sha256: Mapped[str] = mapped_column(String(80), primary_key=True)
    policy_id: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(400))
    source_format: Mapped[str] = mapped_column(String(8))
    source_text: Mapped[str] = mapped_column(Text)
    canonical_json: Mapped[str] = mapped_column(Text)
    uploaded_by: Mapped[str] = mapped_column(String(200))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_stats_reward_policies_policy_id", "policy_id", "uploaded_at"),)


class RewardSnapshot(Base):
    """The frozen inputs of one or more runs (canonical JSON; its hash is what runs record)."""

    __tablename__ = "stats_reward_snapshots"

    snapshot_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(80), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    taken_by: Mapped[str] = mapped_column(String(200))
    enterprises: Mapped[int] = mapped_column(Integer)
    parks: Mapped[int] = mapped_column(Integer)
    excluded: Mapped[Any] = mapped_column(JSONText, doc="parties left out, with the reason")
    canonical_json: Mapped[str] = mapped_column(Text)


class RewardRunRow(Base):
    """A computed run: its header (everything but the per-subject results) and current status."""

    __tablename__ = "stats_reward_runs"

    run_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    policy_sha256: Mapped[str] = mapped_column(ForeignKey("stats_reward_policies.sha256"))
    snapshot_id: Mapped[str] = mapped_column(ForeignKey("stats_reward_snapshots.snapshot_id"))
    amounts_digest: Mapped[str] = mapped_column(String(80))
    separation_of_duties: Mapped[bool] = mapped_column(Boolean)
    total_fen: Mapped[int] = mapped_column(BigInteger)
    demand_fen: Mapped[int] = mapped_column(BigInteger)
    subjects: Mapped[int] = mapped_column(Integer)
    header: Mapped[Any] = mapped_column(JSONText, doc="result_to_data() without subjects")
    corrects_run_id: Mapped[str | None] = mapped_column(ForeignKey("stats_reward_runs.run_id"), nullable=True)
    correction: Mapped[Any] = mapped_column(JSONText, nullable=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_stats_reward_runs_year", "year", "created_at"),)


class RewardRunHistory(Base):
    """One status change of a run (append-only)."""

    __tablename__ = "stats_reward_run_history"

    run_id: Mapped[str] = mapped_column(ForeignKey("stats_reward_runs.run_id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    from_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class RewardRunSubject(Base):
    """One subject's result in a run, with its items and explanation lines."""

    __tablename__ = "stats_reward_run_subjects"

    run_id: Mapped[str] = mapped_column(ForeignKey("stats_reward_runs.run_id"), primary_key=True)
    subject_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(400))
    district: Mapped[str] = mapped_column(String(64))
    uscc: Mapped[str | None] = mapped_column(String(18), nullable=True)
    gross_fen: Mapped[int] = mapped_column(BigInteger)
    capped_fen: Mapped[int] = mapped_column(BigInteger)
    final_fen: Mapped[int] = mapped_column(BigInteger)
    rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    items: Mapped[str] = mapped_column(Text, doc="compact JSON, see encoding.py")
    lines: Mapped[str] = mapped_column(Text, doc="compact JSON, see encoding.py")


class ExportJob(Base):
    """A background XLSX export of a run (explanations make large runs slow to write)."""

    __tablename__ = "stats_export_jobs"

    job_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("stats_reward_runs.run_id"))
    explanations: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    filename: Mapped[str | None] = mapped_column(String(200), nullable=True)
    size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    content: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)

    __table_args__ = (Index("ix_stats_export_jobs_status", "status", "requested_at"),)
