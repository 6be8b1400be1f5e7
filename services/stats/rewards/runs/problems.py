"""Problem types of the reward-run API; codes are the rewards core's stable error codes."""

from __future__ import annotations

from services.stats.rewards import PolicyValidationError, RewardsError, SnapshotValidationError
from services.stats.rewards.lifecycle import LifecycleErrorCode, RunLifecycleError
from shared.problems import ProblemError, problem_type

POLICY_INVALID = problem_type(
    "rewards.policy.invalid",
    422,
    "Invalid reward policy",
    "The policy file does not validate; each error names the path of the field.",
)
SNAPSHOT_INVALID = problem_type("rewards.snapshot.invalid", 422, "Invalid input snapshot")
COMPUTE_MISMATCH = problem_type("rewards.compute.mismatch", 422, "Policy and snapshot do not belong together")
LIFECYCLE = {
    code: problem_type(code.value, 409, "Reward run transition refused") for code in LifecycleErrorCode
}
TAMPERED = problem_type("rewards.run.tampered", 500, "Stored run does not match its digest")
EXPORT_TOO_LARGE = problem_type(
    "rewards.export.use_job",
    409,
    "Run too large to export in the request",
    "Request an export job (POST …/exports) and download it when done.",
)


def _pointer(path: str) -> str:
    """``items[2].value_tiers[1].min`` → ``/items/2/value_tiers/1/min`` (RFC 6901)."""
    if not path:
        return ""
    out = path.replace("[", ".").replace("]", "")
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in out.split(".") if p != "")


def problem_from(error: RewardsError) -> ProblemError:
    """The HTTP problem for a rewards core error."""
    if isinstance(error, PolicyValidationError | SnapshotValidationError):
        kind = POLICY_INVALID if isinstance(error, PolicyValidationError) else SNAPSHOT_INVALID
        return ProblemError(
            kind,
            f"{len(error.issues)} problem(s) in the {error.document}.",
            errors=[
                {"pointer": _pointer(i.path), "path": i.path or "<document>", "detail": i.message}
                for i in error.issues
            ],
        )
    if isinstance(error, RunLifecycleError):
        return ProblemError(LIFECYCLE[error.error_code], error.message)
    if error.code == "rewards.run.tampered":
        return ProblemError(TAMPERED, error.message)
    return ProblemError(COMPUTE_MISMATCH, error.message, reason=error.code)
