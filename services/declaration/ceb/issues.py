"""Structured problems found in a customs message.

Every layer (hostile-XML guard, XSD validation, business rules, three-document
match) reports problems as :class:`Issue` values instead of raising, so the
service can turn any of them into a customs-style receipt without knowing which
layer produced it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How an issue affects the message."""

    ERROR = "error"
    """The record (or the whole message) must be rejected."""

    REVIEW = "review"
    """Accepted, but a person should look at it (e.g. buyer differs from payer)."""


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem, located as precisely as the layer that found it can.

    ``code`` is the customs code where one exists (``"0002"`` schema failure,
    ``"-621005"`` single-transaction limit …) or a ``DDT-`` code of our own;
    see :mod:`services.declaration.ceb.codes` for the full list.
    ``pointer`` is a JSON-pointer into the JSON form of the message
    (``/records/0/lines/1/totalPrice``); ``line``/``element`` locate XML-level
    problems in the original document.
    """

    code: str
    message: str
    pointer: str | None = None
    line: int | None = None
    element: str | None = None
    severity: Severity = Severity.ERROR

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form; absent locations are omitted."""
        data = asdict(self)
        data["severity"] = self.severity.value
        return {key: value for key, value in data.items() if value is not None}

    @property
    def is_error(self) -> bool:
        """True when the issue rejects the record."""
        return self.severity is Severity.ERROR
