"""Problems of the statements module."""

from shared.problems import problem_type

STATEMENT_REFUSED = problem_type("payments.statement_refused", 422, "The statement was refused")
UNKNOWN_ACCOUNT = problem_type(
    "payments.statement_account_unknown", 422, "The statement's account is not a client account of yours"
)
STATEMENT_CONFLICT = problem_type(
    "payments.statement_conflict", 409, "A different statement with this id was received before"
)
UNSUPPORTED_FORMAT = problem_type(
    "payments.statement_format", 415, "Send camt.053/054 XML, MT940/MT942 text or the platform's CSV"
)
