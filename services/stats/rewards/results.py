"""What a reward run produces: amounts per subject and the explanation of each.

These are frozen, slotted dataclasses rather than pydantic models: a run for
20,000 enterprises holds hundreds of thousands of explanation lines, and
building them must stay cheap. :func:`result_to_data` / :func:`result_from_data`
convert to and from plain JSON-ready data for storage.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from .money import canonical_decimal
from .policy import SubjectKind
from .sources import canonical_json, sha256_hex

Figure = Decimal | int | str | bool | None
"""A value shown on an explanation line."""


class Step(StrEnum):
    """Where in the computation an explanation line comes from, in order."""

    ELIGIBILITY = "eligibility"  # a gate of the policy, passed or failed
    TIER = "tier"  # a figure placed in a band
    FORMULA = "formula"  # an amount computed from figures
    COMBINE = "combine"  # two parts of one item combined (max/sum)
    CAP = "cap"  # an item ceiling
    ITEM = "item"  # the amount an item yields before 就高不重复
    MATTER = "matter"  # 就高不重复 within a matter
    SUBJECT_CAP = "subject_cap"  # sum over matters and the subject ceiling
    BUDGET = "budget"  # the share of the total budget


class ItemStatus(StrEnum):
    """What became of an item's amount for one subject."""

    PAID = "paid"  # the highest of its matter, carried into the subject's amount
    SUPERSEDED = "superseded"  # a higher (or equal, earlier) item of the same matter was paid instead
    INELIGIBLE = "ineligible"  # an eligibility rule failed
    NIL = "nil"  # eligible, but the figures reach no tier / amount is zero


@dataclass(frozen=True, slots=True)
class ExplanationLine:
    """One step of the computation for one subject: rule, figures, tier, formula, result."""

    step: Step
    item_id: str | None  # None for subject-level steps
    rule: str  # rule or item id, or the name of the step's rule (e.g. "budget.pro_rata")
    figures: tuple[tuple[str, Figure], ...]
    formula: str
    result: Decimal | None = None
    tier: str | None = None
    verdict: str | None = None  # pass/fail, paid/superseded, capped/…


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    """The amount one item yields for one subject, and its fate under 就高不重复."""

    item_id: str
    kind: str
    matter: str
    status: ItemStatus
    amount: Decimal  # what the item computes, before 就高不重复 and the caps that follow
    superseded_by: str | None = None


@dataclass(frozen=True, slots=True)
class SubjectResult:
    """Everything the run decided about one subject."""

    kind: SubjectKind
    subject_id: str
    name: str
    district: str
    uscc: str | None
    items: tuple[ItemOutcome, ...]
    gross: Decimal  # sum of the paid item of each matter
    capped: Decimal  # after the subject ceiling: the demand put to the budget
    final: Decimal  # after the budget step: what is paid
    lines: tuple[ExplanationLine, ...]
    rank: int | None = None  # position in a ranked allocation, 1-based

    @property
    def key(self) -> str:
        """``kind:id`` — unique across subject kinds; the deterministic tie-break everywhere."""
        return f"{self.kind.value}:{self.subject_id}"


@dataclass(frozen=True, slots=True)
class BudgetOutcome:
    """The budget step as a whole."""

    method: str  # "pro_rata" | "ranked"
    total: Decimal  # the policy's budget
    demand: Decimal  # sum of capped amounts
    allocated: Decimal  # sum of final amounts; never above total
    scale_factor: Decimal  # allocated share of demand: 1 when the budget suffices; 10 places, display only
    leftover_fen: int  # pro_rata: fen handed out by largest remainder; ranked: 0
    explanation: str


@dataclass(frozen=True, slots=True)
class RunResult:
    """A computed reward run: what was used, what each subject gets, and why."""

    engine_version: str
    policy_id: str
    policy_hash: str
    policy_status: str
    year: int
    currency: str
    snapshot_id: str
    snapshot_hash: str
    separation_of_duties: bool
    budget: BudgetOutcome
    subjects: tuple[SubjectResult, ...]  # sorted by key

    def __iter__(self) -> Iterator[SubjectResult]:
        return iter(self.subjects)

    def subject(self, key: str) -> SubjectResult:
        """The result for ``kind:id``; raises ``KeyError`` if the subject is not in the run."""
        for subject in self.subjects:
            if subject.key == key:
                return subject
        raise KeyError(key)

    def amounts(self) -> dict[str, Decimal]:
        """``{subject key: final amount}`` for every subject, including zeros."""
        return {subject.key: subject.final for subject in self.subjects}

    @property
    def total(self) -> Decimal:
        """The sum paid out."""
        return self.budget.allocated

    def amounts_digest(self) -> str:
        """SHA-256 over policy hash, snapshot hash and every subject's gross/capped/final.

        Two runs with equal digests pay the same amounts to the fen for the same inputs.
        """
        rows = [
            [s.key, canonical_decimal(s.gross), canonical_decimal(s.capped), canonical_decimal(s.final)]
            for s in self.subjects
        ]
        return sha256_hex(
            canonical_json(
                {
                    "policy": self.policy_hash,
                    "snapshot": self.snapshot_hash,
                    "engine": self.engine_version,
                    "rows": rows,
                }
            )
        )


# --------------------------------------------------------------------------- plain data


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _figure_to_data(value: Figure) -> Any:
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    return value


def _figure_from_data(value: Any) -> Figure:
    if isinstance(value, dict):
        return Decimal(value["decimal"])
    return value  # type: ignore[no-any-return]


def line_to_data(line: ExplanationLine) -> dict[str, Any]:
    """An explanation line as JSON-ready data (Decimals as strings)."""
    return {
        "step": line.step.value,
        "item_id": line.item_id,
        "rule": line.rule,
        "figures": [[name, _figure_to_data(value)] for name, value in line.figures],
        "formula": line.formula,
        "result": _dec(line.result),
        "tier": line.tier,
        "verdict": line.verdict,
    }


def result_to_data(result: RunResult) -> dict[str, Any]:
    """The whole run result as JSON-ready data; :func:`result_from_data` reverses it exactly."""
    budget = result.budget
    return {
        "engine_version": result.engine_version,
        "policy_id": result.policy_id,
        "policy_hash": result.policy_hash,
        "policy_status": result.policy_status,
        "year": result.year,
        "currency": result.currency,
        "snapshot_id": result.snapshot_id,
        "snapshot_hash": result.snapshot_hash,
        "separation_of_duties": result.separation_of_duties,
        "budget": {
            "method": budget.method,
            "total": str(budget.total),
            "demand": str(budget.demand),
            "allocated": str(budget.allocated),
            "scale_factor": str(budget.scale_factor),
            "leftover_fen": budget.leftover_fen,
            "explanation": budget.explanation,
        },
        "subjects": [
            {
                "kind": s.kind.value,
                "subject_id": s.subject_id,
                "name": s.name,
                "district": s.district,
                "uscc": s.uscc,
                "items": [
                    {
                        "item_id": i.item_id,
                        "kind": i.kind,
                        "matter": i.matter,
                        "status": i.status.value,
                        "amount": str(i.amount),
                        "superseded_by": i.superseded_by,
                    }
                    for i in s.items
                ],
                "gross": str(s.gross),
                "capped": str(s.capped),
                "final": str(s.final),
                "rank": s.rank,
                "lines": [line_to_data(line) for line in s.lines],
            }
            for s in result.subjects
        ],
    }


def result_from_data(data: Mapping[str, Any]) -> RunResult:
    """Rebuild a :class:`RunResult` from :func:`result_to_data` output (e.g. read back from storage)."""
    budget = data["budget"]
    subjects = tuple(
        SubjectResult(
            kind=SubjectKind(s["kind"]),
            subject_id=s["subject_id"],
            name=s["name"],
            district=s["district"],
            uscc=s["uscc"],
            items=tuple(
                ItemOutcome(
                    item_id=i["item_id"],
                    kind=i["kind"],
                    matter=i["matter"],
                    status=ItemStatus(i["status"]),
                    amount=Decimal(i["amount"]),
                    superseded_by=i["superseded_by"],
                )
                for i in s["items"]
            ),
            gross=Decimal(s["gross"]),
            capped=Decimal(s["capped"]),
            final=Decimal(s["final"]),
            rank=s["rank"],
            lines=tuple(
                ExplanationLine(
                    step=Step(line["step"]),
                    item_id=line["item_id"],
                    rule=line["rule"],
                    figures=tuple((name, _figure_from_data(value)) for name, value in line["figures"]),
                    formula=line["formula"],
                    result=None if line["result"] is None else Decimal(line["result"]),
                    tier=line["tier"],
                    verdict=line["verdict"],
                )
                for line in s["lines"]
            ),
        )
        for s in data["subjects"]
    )
    return RunResult(
        engine_version=data["engine_version"],
        policy_id=data["policy_id"],
        policy_hash=data["policy_hash"],
        policy_status=data["policy_status"],
        year=data["year"],
        currency=data["currency"],
        snapshot_id=data["snapshot_id"],
        snapshot_hash=data["snapshot_hash"],
        separation_of_duties=data["separation_of_duties"],
        budget=BudgetOutcome(
            method=budget["method"],
            total=Decimal(budget["total"]),
            demand=Decimal(budget["demand"]),
            allocated=Decimal(budget["allocated"]),
            scale_factor=Decimal(budget["scale_factor"]),
            leftover_fen=budget["leftover_fen"],
            explanation=budget["explanation"],
        ),
        subjects=subjects,
    )
