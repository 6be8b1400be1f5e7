"""The life of a reward run: draft → reviewed → approved → published.

A :class:`RewardRun` wraps a computed :class:`~.results.RunResult` with its
status history. Runs are immutable values: each transition returns a *new*
run with one more :class:`StatusChange` (actor, UTC time, note), which maps
directly onto an append-only table in the service. Rules:

* transitions go one step forward only; anything else raises
  :class:`RunLifecycleError` with a stable ``code`` (:class:`LifecycleErrorCode`);
* a published run never changes: every transition on it raises
  ``rewards.run.published_immutable``; a mistake is fixed by a *correction* —
  a new run (:func:`create_correction`) that references the published one and
  shows, per subject, the difference from it;
* **separation of duties** (四眼原则), on unless the policy's
  ``governance.separation_of_duties`` is false, copied into the run at
  creation so a later policy edit cannot loosen it: the reviewer is not the
  creator; the approver is neither the creator nor the reviewer. Publishing is
  the mechanical release of an approved run and has no extra constraint;
* a run computed from a policy with ``status: example`` can be reviewed and
  approved (for rehearsals) but never published;
* times must be timezone-aware; they are stored in UTC and may not go
  backwards within one run.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any

from .errors import RewardsError
from .money import ZERO
from .results import RunResult, result_from_data, result_to_data


class RunStatus(StrEnum):
    """Where a run is in its review."""

    DRAFT = "draft"
    REVIEWED = "reviewed"
    APPROVED = "approved"
    PUBLISHED = "published"


_NEXT: dict[RunStatus, RunStatus] = {
    RunStatus.DRAFT: RunStatus.REVIEWED,
    RunStatus.REVIEWED: RunStatus.APPROVED,
    RunStatus.APPROVED: RunStatus.PUBLISHED,
}


class LifecycleErrorCode(StrEnum):
    """Stable codes of :class:`RunLifecycleError`."""

    ILLEGAL_TRANSITION = "rewards.run.illegal_transition"
    PUBLISHED_IMMUTABLE = "rewards.run.published_immutable"
    SEPARATION_OF_DUTIES = "rewards.run.separation_of_duties"
    ACTOR_REQUIRED = "rewards.run.actor_required"
    NAIVE_TIME = "rewards.run.naive_time"
    TIME_BEFORE_PREVIOUS = "rewards.run.time_before_previous"
    EXAMPLE_POLICY = "rewards.run.example_policy_not_publishable"
    CORRECTION_TARGET_NOT_PUBLISHED = "rewards.run.correction_target_not_published"
    CORRECTION_YEAR_MISMATCH = "rewards.run.correction_year_mismatch"
    REASON_REQUIRED = "rewards.run.correction_reason_required"


class RunLifecycleError(RewardsError):
    """A transition or correction that the rules forbid."""

    def __init__(self, code: LifecycleErrorCode, message: str) -> None:
        super().__init__(message, code=code.value)
        self.error_code = code


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One entry of the history: who moved the run to which status, and when (UTC)."""

    from_status: RunStatus | None  # None for the creation
    to_status: RunStatus
    actor: str
    at: dt.datetime
    note: str | None = None


@dataclass(frozen=True, slots=True)
class AmountDifference:
    """How one subject's amount changed from the corrected run to the correction."""

    subject_key: str
    previous: Decimal
    current: Decimal

    @property
    def delta(self) -> Decimal:
        """``current − previous``: positive means an additional payment, negative a claw-back."""
        return self.current - self.previous


@dataclass(frozen=True, slots=True)
class Correction:
    """The link from a correcting run to the published run it corrects."""

    corrects_run_id: str
    corrects_amounts_digest: str
    reason: str
    differences: tuple[AmountDifference, ...]  # every subject in either run, sorted by key

    @property
    def changed(self) -> tuple[AmountDifference, ...]:
        """Only the subjects whose amount changed."""
        return tuple(d for d in self.differences if d.delta != 0)

    @property
    def total_delta(self) -> Decimal:
        """Change of the total paid."""
        return sum((d.delta for d in self.differences), ZERO)


@dataclass(frozen=True, slots=True)
class RewardRun:
    """A computed run and its review history; transitions return a new run."""

    run_id: str
    result: RunResult
    history: tuple[StatusChange, ...]
    separation_of_duties: bool
    amounts_digest: str  # of ``result`` at creation; lets storage detect tampering
    correction: Correction | None = None

    @property
    def status(self) -> RunStatus:
        """The current status: the target of the last history entry."""
        return self.history[-1].to_status

    @property
    def created_by(self) -> str:
        return self.history[0].actor

    @property
    def created_at(self) -> dt.datetime:
        return self.history[0].at

    @property
    def is_published(self) -> bool:
        return self.status is RunStatus.PUBLISHED

    def actor_of(self, status: RunStatus) -> str | None:
        """Who moved the run into ``status`` (None if it never got there)."""
        for change in self.history:
            if change.to_status is status:
                return change.actor
        return None

    def review(self, actor: str, *, at: dt.datetime | None = None, note: str | None = None) -> RewardRun:
        """draft → reviewed. With separation of duties the reviewer is not the creator."""
        return self._advance(RunStatus.REVIEWED, actor, at, note)

    def approve(self, actor: str, *, at: dt.datetime | None = None, note: str | None = None) -> RewardRun:
        """reviewed → approved. With separation of duties the approver is neither creator nor reviewer."""
        return self._advance(RunStatus.APPROVED, actor, at, note)

    def publish(self, actor: str, *, at: dt.datetime | None = None, note: str | None = None) -> RewardRun:
        """approved → published; afterwards the run is immutable. Example-policy runs are refused."""
        return self._advance(RunStatus.PUBLISHED, actor, at, note)

    def verify(self) -> None:
        """Raise ``RewardsError`` code ``rewards.run.tampered`` if the amounts no longer match the digest."""
        if self.result.amounts_digest() != self.amounts_digest:
            raise RewardsError(
                f"run {self.run_id}: amounts do not match their digest", code="rewards.run.tampered"
            )

    def _advance(self, target: RunStatus, actor: str, at: dt.datetime | None, note: str | None) -> RewardRun:
        current = self.status
        if current is RunStatus.PUBLISHED:
            raise RunLifecycleError(
                LifecycleErrorCode.PUBLISHED_IMMUTABLE,
                f"run {self.run_id} is published and cannot change; create a correction instead",
            )
        if _NEXT.get(current) is not target:
            raise RunLifecycleError(
                LifecycleErrorCode.ILLEGAL_TRANSITION,
                f"run {self.run_id} is {current.value}; it cannot become {target.value}",
            )
        actor = _actor(actor)
        when = _utc(at, not_before=self.history[-1].at)
        if self.separation_of_duties:
            self._check_duties(target, actor)
        if target is RunStatus.PUBLISHED and self.result.policy_status == "example":
            raise RunLifecycleError(
                LifecycleErrorCode.EXAMPLE_POLICY,
                f"run {self.run_id} was computed from the example policy {self.result.policy_id}; "
                "example runs cannot be published",
            )
        change = StatusChange(current, target, actor, when, note)
        return replace(self, history=(*self.history, change))

    def _check_duties(self, target: RunStatus, actor: str) -> None:
        forbidden: dict[str, str | None] = {}
        if target is RunStatus.REVIEWED:
            forbidden = {"created": self.created_by}
        elif target is RunStatus.APPROVED:
            forbidden = {"created": self.created_by, "reviewed": self.actor_of(RunStatus.REVIEWED)}
        for did, other in forbidden.items():
            if other == actor:
                raise RunLifecycleError(
                    LifecycleErrorCode.SEPARATION_OF_DUTIES,
                    f"{actor} {did} run {self.run_id} and so cannot make it {target.value} "
                    "(separation of duties)",
                )


def _actor(actor: str) -> str:
    cleaned = actor.strip() if isinstance(actor, str) else ""
    if not cleaned:
        raise RunLifecycleError(LifecycleErrorCode.ACTOR_REQUIRED, "every step of a run names its actor")
    return cleaned


def _utc(at: dt.datetime | None, *, not_before: dt.datetime | None = None) -> dt.datetime:
    if at is None:
        at = dt.datetime.now(dt.UTC)
    elif at.tzinfo is None or at.utcoffset() is None:
        raise RunLifecycleError(LifecycleErrorCode.NAIVE_TIME, "times must be timezone-aware")
    at = at.astimezone(dt.UTC)
    if not_before is not None and at < not_before:
        raise RunLifecycleError(
            LifecycleErrorCode.TIME_BEFORE_PREVIOUS,
            f"{at.isoformat()} is before the previous step at {not_before.isoformat()}",
        )
    return at


def create_run(
    result: RunResult,
    created_by: str,
    *,
    run_id: str | None = None,
    at: dt.datetime | None = None,
    note: str | None = None,
) -> RewardRun:
    """Start a draft run for a computed result.

    ``run_id`` defaults to a random UUID; separation of duties is taken from the
    policy the result was computed with.
    """
    change = StatusChange(None, RunStatus.DRAFT, _actor(created_by), _utc(at), note)
    return RewardRun(
        run_id=run_id or str(uuid.uuid4()),
        result=result,
        history=(change,),
        separation_of_duties=result.separation_of_duties,
        amounts_digest=result.amounts_digest(),
    )


def differences(previous: RunResult, current: RunResult) -> tuple[AmountDifference, ...]:
    """Per subject (union of both runs, sorted by key): previous and current final amounts."""
    before = previous.amounts()
    after = current.amounts()
    return tuple(
        AmountDifference(key, before.get(key, ZERO), after.get(key, ZERO))
        for key in sorted(before.keys() | after.keys())
    )


def create_correction(
    corrected: RewardRun,
    result: RunResult,
    created_by: str,
    reason: str,
    *,
    run_id: str | None = None,
    at: dt.datetime | None = None,
) -> RewardRun:
    """Start a draft run that corrects a *published* run of the same year.

    The new run goes through review like any other; its :attr:`RewardRun.correction`
    holds the reference and each subject's difference from the corrected run.
    An unpublished run is not corrected: recompute and create a new run instead.
    """
    if not corrected.is_published:
        raise RunLifecycleError(
            LifecycleErrorCode.CORRECTION_TARGET_NOT_PUBLISHED,
            f"run {corrected.run_id} is {corrected.status.value}; only a published run is corrected",
        )
    if result.year != corrected.result.year:
        raise RunLifecycleError(
            LifecycleErrorCode.CORRECTION_YEAR_MISMATCH,
            f"run {corrected.run_id} is for {corrected.result.year}, the correction for {result.year}",
        )
    if not reason or not reason.strip():
        raise RunLifecycleError(LifecycleErrorCode.REASON_REQUIRED, "a correction states its reason")
    run = create_run(result, created_by, run_id=run_id, at=at, note=f"correction of {corrected.run_id}")
    correction = Correction(
        corrects_run_id=corrected.run_id,
        corrects_amounts_digest=corrected.amounts_digest,
        reason=reason.strip(),
        differences=differences(corrected.result, result),
    )
    return replace(run, correction=correction)


# --------------------------------------------------------------------------- plain data


def run_to_data(run: RewardRun) -> dict[str, Any]:
    """The run as JSON-ready data; :func:`run_from_data` reverses it exactly."""
    correction = run.correction
    return {
        "run_id": run.run_id,
        "separation_of_duties": run.separation_of_duties,
        "amounts_digest": run.amounts_digest,
        "history": [
            {
                "from_status": None if c.from_status is None else c.from_status.value,
                "to_status": c.to_status.value,
                "actor": c.actor,
                "at": c.at.isoformat(),
                "note": c.note,
            }
            for c in run.history
        ],
        "correction": None
        if correction is None
        else {
            "corrects_run_id": correction.corrects_run_id,
            "corrects_amounts_digest": correction.corrects_amounts_digest,
            "reason": correction.reason,
            "differences": [[d.subject_key, str(d.previous), str(d.current)] for d in correction.differences],
        },
        "result": result_to_data(run.result),
    }


def run_from_data(data: Mapping[str, Any]) -> RewardRun:
    """Rebuild a run stored with :func:`run_to_data`."""
    correction = data["correction"]
    return RewardRun(
        run_id=data["run_id"],
        result=result_from_data(data["result"]),
        history=tuple(
            StatusChange(
                from_status=None if c["from_status"] is None else RunStatus(c["from_status"]),
                to_status=RunStatus(c["to_status"]),
                actor=c["actor"],
                at=dt.datetime.fromisoformat(c["at"]),
                note=c["note"],
            )
            for c in data["history"]
        ),
        separation_of_duties=data["separation_of_duties"],
        amounts_digest=data["amounts_digest"],
        correction=None
        if correction is None
        else Correction(
            corrects_run_id=correction["corrects_run_id"],
            corrects_amounts_digest=correction["corrects_amounts_digest"],
            reason=correction["reason"],
            differences=tuple(
                AmountDifference(key, Decimal(previous), Decimal(current))
                for key, previous, current in correction["differences"]
            ),
        ),
    )
