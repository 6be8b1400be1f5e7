"""Problems of reconciliation."""

from shared.problems import problem_type

PROPOSAL_STATE = problem_type("payments.proposal_state", 409, "The proposal cannot be decided in its state")
