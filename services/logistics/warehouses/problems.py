"""Problem kinds of the warehouse registry."""

from __future__ import annotations

from shared.problems import problem_type

WAREHOUSE_CODE_TAKEN = problem_type(
    "logistics.warehouse_code_taken", 409, "The operator already has a warehouse with this code"
)
WAREHOUSE_PROFILE_INVALID = problem_type(
    "logistics.warehouse_profile_invalid", 422, "The warehouse profile is inconsistent"
)
NOT_THE_OPERATOR = problem_type(
    "logistics.not_the_operator", 403, "Only the warehouse's operator (or a platform admin) may do this"
)
WAREHOUSE_CLOSED = problem_type("logistics.warehouse_closed", 409, "The warehouse is closed")
