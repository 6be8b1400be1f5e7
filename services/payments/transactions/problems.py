"""Problems of the transactions module."""

from shared.problems import problem_type

REFERENCE_REUSED = problem_type(
    "payments.reference_reused", 409, "This reference was reported before with other content"
)
UNKNOWN_RATE = problem_type("payments.unknown_rate", 422, "No customs monthly rate for the currency")
NOT_HELD = problem_type(
    "payments.transaction_state", 409, "The transaction is not in a state that allows this"
)
NOT_RELEASABLE = problem_type(
    "payments.still_over_threshold", 409, "The enterprise must register in the directory (名录) first"
)
