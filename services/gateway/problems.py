"""Problem types the gateway answers with (RFC 9457; ``code`` is the contract).

Authentication codes are exactly :class:`sdk.signing.AuthProblemCode` (docs/signing.md §6),
idempotency codes exactly :class:`sdk.client.IdempotencyProblemCode` (§8).
"""

from __future__ import annotations

from sdk.client import IdempotencyProblemCode
from sdk.signing import ALGORITHM, AuthProblemCode
from shared.problems import FORBIDDEN, ProblemError, ProblemType, problem_type

_AUTH_TITLES: dict[AuthProblemCode, tuple[str, str]] = {
    AuthProblemCode.MISSING_HEADER: (
        "A signing header is missing",
        "Send all six X-DDT-* headers (docs/signing.md §2).",
    ),
    AuthProblemCode.MALFORMED_HEADER: (
        "A signing header is malformed",
        "The detail names the header and its rule.",
    ),
    AuthProblemCode.UNSUPPORTED_ALGORITHM: (
        "Unsupported signing algorithm",
        "Only DDT1-HMAC-SHA256 exists today.",
    ),
    AuthProblemCode.CONFLICTING_CREDENTIALS: (
        "Both a bearer token and a signature",
        "Send either Authorization or the X-DDT-* headers, never both.",
    ),
    AuthProblemCode.UNKNOWN_KEY: ("Unknown key id", "No credential has this key id."),
    AuthProblemCode.KEY_REVOKED: ("Key revoked or expired", "Create a new credential."),
    AuthProblemCode.STALE_TIMESTAMP: (
        "Request timestamp outside the allowed window",
        "Timestamps must be within 300 s of the gateway's clock.",
    ),
    AuthProblemCode.BODY_HASH_MISMATCH: (
        "Body hash does not match",
        "X-DDT-Content-SHA256 must hash the exact bytes sent.",
    ),
    AuthProblemCode.BAD_SIGNATURE: (
        "Signature does not match",
        "Compare your canonical string with `ddt sign`.",
    ),
    AuthProblemCode.REPLAYED_NONCE: (
        "Nonce already used",
        "Use a fresh nonce for every request, retries included.",
    ),
    AuthProblemCode.SUSPENDED_PARTY: ("Party suspended", "The party holding this credential is suspended."),
    AuthProblemCode.INVALID_TOKEN: (
        "Invalid bearer token",
        "The token is missing, malformed, expired, or its credential was revoked.",
    ),
}

AUTH_PROBLEMS: dict[AuthProblemCode, ProblemType] = {
    code: problem_type(str(code), 401, title, description)
    for code, (title, description) in _AUTH_TITLES.items()
}

IDEMPOTENCY_KEY_MISSING = problem_type(
    IdempotencyProblemCode.KEY_MISSING,
    400,
    "Idempotency-Key required",
    "POST, PUT and PATCH need an Idempotency-Key header (a UUID4).",
)
IDEMPOTENCY_KEY_MALFORMED = problem_type(
    IdempotencyProblemCode.KEY_MALFORMED,
    400,
    "Idempotency-Key malformed",
    "At most 255 printable ASCII characters.",
)
IDEMPOTENCY_PAYLOAD_MISMATCH = problem_type(
    IdempotencyProblemCode.PAYLOAD_MISMATCH,
    422,
    "Idempotency-Key reused for another request",
    "The key was first used with a different method, path, query or body.",
)
IDEMPOTENCY_IN_PROGRESS = problem_type(
    IdempotencyProblemCode.IN_PROGRESS,
    409,
    "Request with this Idempotency-Key still in progress",
    "Retry later with the same key.",
)

RATE_LIMITED = problem_type("rate.limited", 429, "Too many requests")
UPSTREAM_UNAVAILABLE = problem_type(
    "upstream.unavailable", 503, "Service unavailable", "The service behind this route cannot be reached now."
)
UPSTREAM_TIMEOUT = problem_type("upstream.timeout", 504, "Upstream timed out")
GATEWAY_OVERLOADED = problem_type(
    "gateway.overloaded",
    503,
    "The gateway is at capacity",
    "The request waited longer than its budget allows before it could be forwarded; nothing was executed. "
    "Retry after Retry-After with the same Idempotency-Key.",
)
CIRCUIT_OPEN = problem_type(
    "upstream.circuit_open",
    503,
    "Service temporarily unavailable",
    "The service failed repeatedly; the gateway answers at once until it recovers. Retry after Retry-After.",
)

# Answered by the load balancer in front of the gateway replicas (deploy/haproxy), not by a gateway.
LB_NO_ANSWER = problem_type(
    "lb.no_answer",
    502,
    "No gateway replica answered",
    "The replica handling the request stopped before answering; the request may have been applied. "
    "Retry it with the same Idempotency-Key.",
)
LB_UNAVAILABLE = problem_type(
    "lb.unavailable",
    503,
    "No gateway replica available",
    "Every gateway replica is restarting or down. Retry after Retry-After with the same Idempotency-Key.",
)
LB_TIMEOUT = problem_type(
    "lb.timeout",
    504,
    "The gateway did not answer in time",
    "The request may have been applied. Retry it with the same Idempotency-Key.",
)

PARTY_USCC_TAKEN = problem_type("party.uscc_taken", 409, "A party with this USCC exists")
PARTY_CUSTOMS_CODE_TAKEN = problem_type(
    "party.customs_code_taken", 409, "A party with this customs code exists"
)
PARTY_CODE_TAKEN = problem_type(
    "party.code_taken",
    409,
    "Enterprise code registered to another party",
    "Every enterprise code belongs to exactly one party.",
)
PARTY_INVALID = problem_type("party.invalid", 422, "Party data invalid")
CREDENTIAL_LIMIT = problem_type(
    "credential.limit_reached",
    409,
    "Two active credentials already",
    "A party holds at most two active credentials (for rotation); revoke one first.",
)
WEBHOOK_URL_REFUSED = problem_type(
    "webhook.url_refused",
    422,
    "Callback URL refused",
    "Callback URLs must be HTTPS and resolve to public addresses unless an admin allow-lists them.",
)
WEBHOOK_LIMIT = problem_type("webhook.limit_reached", 409, "Too many webhook subscriptions")

__all__ = [
    "ALGORITHM",
    "AUTH_PROBLEMS",
    "CIRCUIT_OPEN",
    "CREDENTIAL_LIMIT",
    "FORBIDDEN",
    "IDEMPOTENCY_IN_PROGRESS",
    "IDEMPOTENCY_KEY_MALFORMED",
    "IDEMPOTENCY_KEY_MISSING",
    "IDEMPOTENCY_PAYLOAD_MISMATCH",
    "LB_NO_ANSWER",
    "LB_TIMEOUT",
    "LB_UNAVAILABLE",
    "PARTY_CODE_TAKEN",
    "PARTY_CUSTOMS_CODE_TAKEN",
    "PARTY_INVALID",
    "PARTY_USCC_TAKEN",
    "RATE_LIMITED",
    "UPSTREAM_TIMEOUT",
    "UPSTREAM_UNAVAILABLE",
    "WEBHOOK_LIMIT",
    "WEBHOOK_URL_REFUSED",
    "auth_error",
]


def auth_error(code: AuthProblemCode | str, detail: str, *, scheme: str = ALGORITHM) -> ProblemError:
    """A 401 with its own code and a ``WWW-Authenticate`` challenge."""
    return ProblemError(AUTH_PROBLEMS[AuthProblemCode(code)], detail, headers={"WWW-Authenticate": scheme})
