"""Problem kinds of warehouse reports."""

from __future__ import annotations

from shared.problems import problem_type

MONTH_INVALID = problem_type("logistics.month_invalid", 422, "Not a month a report exists for")
