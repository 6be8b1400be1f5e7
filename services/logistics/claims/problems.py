"""Problem kinds of claims."""

from __future__ import annotations

from shared.problems import problem_type

CLAIM_WINDOW_CLOSED = problem_type(
    "logistics.claim_window_closed", 422, "The claim window of this shipment and kind does not include today"
)
CLAIM_NOT_YET_OPEN = problem_type(
    "logistics.claim_window_not_open",
    409,
    "The event the claim window starts from (delivery or dispatch) has not happened",
)
CLAIM_STATE = problem_type("logistics.claim_state", 409, "The claim's status does not allow this")
CLAIM_REFERENCE_TAKEN = problem_type(
    "logistics.claim_reference_taken", 409, "This reference already names another claim of the claimant"
)
NOT_THE_CLAIMANT = problem_type(
    "logistics.not_the_claimant",
    403,
    "Only the shipment's enterprise (or a platform acting for it) may claim",
)
NOT_THE_CLAIMS_CARRIER = problem_type(
    "logistics.not_the_claims_carrier", 403, "Only the carrier of the claimed leg answers the claim"
)
CLAIM_TERMS = problem_type(
    "logistics.claim_terms", 422, "The compensation rules cannot compute an offer from this claim"
)
EVIDENCE_MISMATCH = problem_type(
    "logistics.evidence_content_mismatch", 415, "The file's content is not of its declared type"
)
