"""Domain errors of the reward run, each with a stable machine-readable code.

Codes are part of the API: the service layer maps them to HTTP problems and
the UI to messages, so they must not change once published.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError


class RewardsError(Exception):
    """Base of every error raised by the rewards package."""

    code: str = "rewards.error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


@dataclass(frozen=True, slots=True)
class ValidationIssue:
    """One problem in an input document: where it is and what is wrong.

    ``path`` uses dotted fields and ``[i]`` indexes, e.g.
    ``items[2].value_tiers[1].min``; ``""`` means the document as a whole.
    """

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '<document>'}: {self.message}"


class DocumentValidationError(RewardsError):
    """An input document (policy or snapshot) is invalid; ``issues`` lists every problem found."""

    code = "rewards.invalid_document"
    document = "document"

    def __init__(self, issues: Sequence[ValidationIssue], *, source: str | None = None) -> None:
        self.issues: tuple[ValidationIssue, ...] = tuple(issues)
        self.source = source
        where = f" ({source})" if source else ""
        lines = "\n".join(f"  - {issue}" for issue in self.issues)
        super().__init__(f"invalid {self.document}{where}: {len(self.issues)} problem(s)\n{lines}")


class PolicyValidationError(DocumentValidationError):
    """The policy file does not describe a valid reward policy."""

    code = "rewards.policy.invalid"
    document = "reward policy"


class SnapshotValidationError(DocumentValidationError):
    """The input snapshot is not valid."""

    code = "rewards.snapshot.invalid"
    document = "input snapshot"


class ComputationError(RewardsError):
    """Policy and snapshot cannot be combined (e.g. different years)."""

    code = "rewards.compute.mismatch"


# Pydantic puts the tag of a discriminated union into the location; our tags
# carry one of these prefixes and mean nothing to the author of the file.
_TAG_PREFIXES = ("kind:", "cond:")


def format_path(loc: Iterable[Any]) -> str:
    """Render a pydantic location tuple as ``a.b[2].c``, dropping union tags."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and part.startswith(_TAG_PREFIXES):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out


def issues_from_pydantic(error: ValidationError) -> list[ValidationIssue]:
    """Turn a pydantic error into path + message issues, in pydantic's order."""
    issues: list[ValidationIssue] = []
    for item in error.errors(include_url=False):
        message = item["msg"]
        # "Value error, x" is pydantic's wrapper around our own ValueErrors.
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        issues.append(ValidationIssue(format_path(item["loc"]), message))
    return issues
