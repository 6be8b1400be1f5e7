"""Yearly reward run of the stats service — the pure domain core.

No database, web framework or message broker here: a validated policy file
(:mod:`.policy`) and an input snapshot (:mod:`.inputs`) go into
:func:`.engine.compute`, which returns a :class:`.results.RunResult` with an
explanation for every amount. :mod:`.lifecycle` moves a run from draft to
published and :mod:`.export_xlsx` writes it for the regulator. See README.md
beside this file for the rules.
"""

from .engine import ENGINE_VERSION, compute
from .errors import (
    ComputationError,
    PolicyValidationError,
    RewardsError,
    SnapshotValidationError,
    ValidationIssue,
)
from .export_xlsx import build_workbook, run_xlsx_bytes, write_run_xlsx
from .inputs import (
    EnterpriseInput,
    ParkInput,
    PaymentInstitutionInput,
    Snapshot,
    load_snapshot,
    loads_snapshot,
    parse_snapshot,
)
from .lifecycle import (
    AmountDifference,
    Correction,
    LifecycleErrorCode,
    RewardRun,
    RunLifecycleError,
    RunStatus,
    StatusChange,
    create_correction,
    create_run,
    run_from_data,
    run_to_data,
)
from .policy import EXAMPLE_POLICY_PATH, Policy, SubjectKind, load_policy, loads_policy, parse_policy
from .results import (
    BudgetOutcome,
    ExplanationLine,
    ItemOutcome,
    ItemStatus,
    RunResult,
    Step,
    SubjectResult,
    result_from_data,
    result_to_data,
)

__all__ = [
    "ENGINE_VERSION",
    "EXAMPLE_POLICY_PATH",
    "AmountDifference",
    "BudgetOutcome",
    "ComputationError",
    "Correction",
    "EnterpriseInput",
    "ExplanationLine",
    "ItemOutcome",
    "ItemStatus",
    "LifecycleErrorCode",
    "ParkInput",
    "PaymentInstitutionInput",
    "Policy",
    "PolicyValidationError",
    "RewardRun",
    "RewardsError",
    "RunLifecycleError",
    "RunResult",
    "RunStatus",
    "Snapshot",
    "SnapshotValidationError",
    "StatusChange",
    "Step",
    "SubjectKind",
    "SubjectResult",
    "ValidationIssue",
    "build_workbook",
    "compute",
    "create_correction",
    "create_run",
    "load_policy",
    "load_snapshot",
    "loads_policy",
    "loads_snapshot",
    "parse_policy",
    "parse_snapshot",
    "result_from_data",
    "result_to_data",
    "run_from_data",
    "run_to_data",
    "run_xlsx_bytes",
    "write_run_xlsx",
]
