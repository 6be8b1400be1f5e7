"""Problems of the institutions module."""

from shared.problems import problem_type

NOT_AN_INSTITUTION = problem_type(
    "payments.not_an_institution", 403, "Only banks and payment institutions may do this"
)
LICENCE_INVALID = problem_type("payments.licence_invalid", 422, "Licence data refused")
INSTITUTION_UNKNOWN = problem_type(
    "payments.institution_unknown", 422, "No such institution on the platform (it has not registered)"
)
ENTERPRISE_UNKNOWN = problem_type(
    "payments.enterprise_unknown", 422, "No such enterprise on the platform (or not yet known to payments)"
)
NOT_SERVED = problem_type(
    "payments.not_served", 422, "The institution does not serve this enterprise (no active client relation)"
)
ACCOUNT_TAKEN = problem_type(
    "payments.account_taken", 409, "This account number is already registered at the institution"
)
