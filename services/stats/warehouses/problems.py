"""Problem kinds of the statistics' warehouse module."""

from __future__ import annotations

from shared.problems import problem_type

ASSESSMENT_INVALID = problem_type("stats.assessment_invalid", 422, "The assessment is incomplete")
