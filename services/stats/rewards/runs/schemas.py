"""Request and response models of reward policies, runs, snapshots and exports.

Responses keep the camelCase keys the API has always answered. Amounts are CNY
decimal strings with two places (exact, never floats); times are ISO 8601 with offset.
Keys a view does not have are left out (routes answer with ``response_model_exclude_unset``).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Flags = dict[str, dict[str, bool]]

_MONEY = Field(description="CNY, exact decimal string", examples=["125000.00"])


# --------------------------------------------------------------------------- requests


class RunRequest(BaseModel):
    """Start a run: a policy, and either a year (a new snapshot of the facts) or a stored snapshot."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"policy": "lyg-cbec-rewards-2026-example", "year": 2026}]},
    )

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

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "party P-17 was suspended in March"}]}
    )

    policy: str | None = Field(default=None, description="default: the corrected run's policy")  # type: ignore[assignment]
    reason: str = Field(min_length=1, max_length=2000)


class StepRequest(BaseModel):
    """A review step's note."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"note": "figures checked"}]})

    note: str | None = Field(default=None, max_length=2000)


class ExportRequest(BaseModel):
    """Which explanation lines the workbook carries."""

    model_config = ConfigDict(extra="forbid")

    explanations: Literal["all", "paid", "none"] = "all"


# --------------------------------------------------------------------------- policies


class PolicyOut(BaseModel):
    """A stored policy (``source``: its text as uploaded, on the single-policy view)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "sha256": "sha256:9f2c…",
                    "policyId": "lyg-cbec-rewards-2026-example",
                    "year": 2026,
                    "status": "example",
                    "title": "连云港市跨境电商奖励政策 (示例)",
                    "format": "yaml",
                    "uploadedBy": "regulator:R-1",
                    "uploadedAt": "2026-12-01T08:00:00+00:00",
                }
            ]
        }
    )

    sha256: str
    policyId: str
    year: int
    status: str
    title: str
    format: Literal["yaml", "json"]
    uploadedBy: str
    uploadedAt: str
    source: str | None = None


class PolicyListOut(BaseModel):
    """Every stored policy, newest first."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"policies": []}]})

    policies: list[PolicyOut]


# --------------------------------------------------------------------------- runs


class BudgetOut(BaseModel):
    """How the total budget was shared."""

    method: str
    total: str
    demand: str
    allocated: str
    scale_factor: str
    leftover_fen: int
    explanation: str


class CorrectionOut(BaseModel):
    """What a correction run corrects."""

    reason: str
    changed: int = Field(description="subjects whose amount differs from the corrected run's")


class HistoryOut(BaseModel):
    """One step of a run's review."""

    model_config = ConfigDict(populate_by_name=True)

    from_: str | None = Field(alias="from")
    to: str
    actor: str
    at: str
    note: str | None


class RunOut(BaseModel):
    """A reward run: its inputs, totals and (on the single-run views) its history."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "runId": "run-2026-4f1c9a",
                    "year": 2026,
                    "status": "draft",
                    "policy": "sha256:9f2c…",
                    "policyId": "lyg-cbec-rewards-2026-example",
                    "policyStatus": "example",
                    "snapshotId": "snap-2026-0c2d5e7f9a1b",
                    "snapshotHash": "sha256:51aa…",
                    "engineVersion": "1",
                    "amountsDigest": "sha256:77e0…",
                    "subjects": 3,
                    "total": "250000.00",
                    "demand": "250000.00",
                    "budget": {
                        "method": "none",
                        "total": "0",
                        "demand": "250000.00",
                        "allocated": "250000.00",
                        "scale_factor": "1",
                        "leftover_fen": 0,
                        "explanation": "no budget ceiling",
                    },
                    "correctsRunId": None,
                    "createdBy": "regulator:R-1",
                    "createdAt": "2026-12-01T08:00:00+00:00",
                    "history": [
                        {
                            "from": None,
                            "to": "draft",
                            "actor": "regulator:R-1",
                            "at": "2026-12-01T08:00:00+00:00",
                            "note": None,
                        }
                    ],
                }
            ]
        }
    )

    runId: str
    year: int
    status: str = Field(description="draft, reviewed, approved or published")
    policy: str = Field(description="sha256 of the policy used")
    policyId: str
    policyStatus: str
    snapshotId: str
    snapshotHash: str
    engineVersion: str
    amountsDigest: str
    subjects: int
    total: str = _MONEY
    demand: str = _MONEY
    budget: BudgetOut
    correctsRunId: str | None
    createdBy: str
    createdAt: str
    correction: CorrectionOut | None = None
    history: list[HistoryOut] | None = None


class RunListOut(BaseModel):
    """Runs, newest first."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"runs": []}]})

    runs: list[RunOut]


class TopSubjectOut(BaseModel):
    """One of the largest final amounts."""

    subjectKey: str
    name: str
    district: str
    final: str = _MONEY


class LatestOut(BaseModel):
    """The dashboard's run (published first if any) and its ten largest amounts."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "run": None,
                    "top": [
                        {
                            "subjectKey": "enterprise:P-ENT-1",
                            "name": "连云港跨境示例有限公司",
                            "district": "320703",
                            "final": "200000.00",
                        }
                    ],
                }
            ]
        }
    )

    run: RunOut | None
    top: list[TopSubjectOut]


class SubjectOut(BaseModel):
    """One subject of a run: amounts, item outcomes and explanation lines (the core's plain data)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "runId": "run-2026-4f1c9a",
                    "subjectKey": "enterprise:P-ENT-1",
                    "kind": "enterprise",
                    "subjectId": "P-ENT-1",
                    "name": "连云港跨境示例有限公司",
                    "district": "320703",
                    "uscc": "91320700MA1XXXXX0X",
                    "gross": "200000.00",
                    "capped": "200000.00",
                    "final": "200000.00",
                    "rank": 1,
                    "items": [
                        {
                            "item_id": "4.1",
                            "kind": "tiered",
                            "matter": "scale",
                            "status": "paid",
                            "amount": "200000.00",
                            "superseded_by": None,
                        }
                    ],
                    "lines": [],
                }
            ]
        }
    )

    runId: str
    subjectKey: str
    kind: str
    subjectId: str
    name: str
    district: str
    uscc: str | None
    gross: str = _MONEY
    capped: str = _MONEY
    final: str = _MONEY
    rank: int | None
    items: list[dict[str, Any]] = Field(
        description="item_id, kind, matter, status (paid, superseded, ineligible, nil), amount, superseded_by"
    )
    lines: list[dict[str, Any]] = Field(
        description="step, item_id, rule, figures, formula, result, tier, verdict — in computation order"
    )


class VerifyOut(BaseModel):
    """A run recomputed from its stored snapshot and policy."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "runId": "run-2026-4f1c9a",
                    "storedDigest": "sha256:77e0…",
                    "recomputedDigest": "sha256:77e0…",
                    "reproduced": True,
                    "total": "250000.00",
                }
            ]
        }
    )

    runId: str
    storedDigest: str
    recomputedDigest: str
    reproduced: bool
    total: str = _MONEY


class SnapshotOut(BaseModel):
    """A stored input snapshot (``content``: the whole snapshot, with ``?full=true``)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "snapshotId": "snap-2026-0c2d5e7f9a1b",
                    "sha256": "sha256:51aa…",
                    "year": 2026,
                    "takenAt": "2026-12-01T08:00:00+00:00",
                    "takenBy": "regulator:R-1",
                    "enterprises": 3,
                    "parks": 2,
                    "excluded": [
                        {"party": "P-ENT-9", "reason": "not in the party registry (no name or USCC)"}
                    ],
                }
            ]
        }
    )

    snapshotId: str
    sha256: str
    year: int
    takenAt: str
    takenBy: str
    enterprises: int
    parks: int
    excluded: list[dict[str, str]] = Field(description="parties left out: {party, reason}")
    content: dict[str, Any] | None = None


# --------------------------------------------------------------------------- exports


class ExportJobOut(BaseModel):
    """An XLSX export job (never its content: that is ``download``)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "jobId": "5b0e…",
                    "runId": "run-2026-4f1c9a",
                    "explanations": "all",
                    "status": "done",
                    "requestedBy": "regulator:R-1",
                    "requestedAt": "2026-12-01T08:00:00+00:00",
                    "finishedAt": "2026-12-01T08:00:12+00:00",
                    "error": None,
                    "filename": "reward-run-run-2026-4f1c9a-all.xlsx",
                    "size": 182044,
                    "download": "/v1/stats/rewards/exports/5b0e…/file",
                }
            ]
        }
    )

    jobId: str
    runId: str
    explanations: Literal["all", "paid", "none"]
    status: Literal["pending", "running", "done", "failed"]
    requestedBy: str
    requestedAt: str
    finishedAt: str | None
    error: str | None
    filename: str | None
    size: int | None
    download: str | None
