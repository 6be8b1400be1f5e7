"""Problem kinds of inbound."""

from __future__ import annotations

from shared.problems import problem_type

ASN_STATE = problem_type("logistics.asn_state", 409, "The ASN's status does not allow this")
ASN_REFERENCE_TAKEN = problem_type(
    "logistics.asn_reference_taken", 409, "This reference already names another ASN of the owner"
)
DECLARATION_REFUSED = problem_type(
    "logistics.declaration_refused", 422, "A named inventory cannot carry goods to an overseas warehouse"
)
PUTAWAY_EXCEEDS_RECEIPT = problem_type(
    "logistics.putaway_exceeds_receipt", 409, "More units put away than were counted on receiving"
)
KEY_REUSED = problem_type("logistics.key_reused", 409, "This key already stands for different content")
