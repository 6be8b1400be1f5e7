"""Problem kinds of outbound."""

from __future__ import annotations

from shared.problems import problem_type

ORDER_STATE = problem_type("logistics.order_state", 409, "The order's status does not allow this")
ORDER_REFERENCE_TAKEN = problem_type(
    "logistics.order_reference_taken", 409, "This reference already names another order of the owner"
)
