"""Problems of the export credit insurance module."""

from shared.problems import problem_type

NOT_THE_ENTERPRISE = problem_type(
    "payments.insurance_enterprise_only", 403, "Only the insured enterprise may do this"
)
POLICY_EXISTS = problem_type("payments.policy_exists", 409, "This policy number is already recorded")
BUYER_EXISTS = problem_type(
    "payments.buyer_limit_exists", 409, "This buyer already has a limit on the policy"
)
DECLARATION_CLOSED = problem_type(
    "payments.declaration_closed", 409, "The shipment declaration is no longer open to submission"
)
AGREEMENT_EXISTS = problem_type(
    "payments.financing_exists", 409, "This financing agreement is already recorded"
)
NOT_RELEASED = problem_type(
    "payments.export_not_released", 409, "The export is not released by customs (or not an export)"
)
LIMIT_NOT_APPLICABLE = problem_type(
    "payments.buyer_limit_not_applicable", 422, "The buyer limit does not cover this shipment"
)
DECLARATION_EXISTS = problem_type(
    "payments.declaration_exists", 409, "This export already has a shipment declaration"
)
