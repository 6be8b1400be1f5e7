"""RFC 9457 problem details with stable codes, for every service.

Every error a client sees is ``application/problem+json``::

    {"type": "/problems/request.malformed_json", "title": "Malformed JSON body",
     "status": 400, "detail": "...", "code": "request.malformed_json",
     "request_id": "...", "errors": [{"pointer": "/body/orderNo", "detail": "..."}]}

``code`` is the stable, machine-readable identifier clients branch on; ``type`` is a
relative URI the gateway serves documentation at. Problem types are declared once
with :func:`problem_type` and collected in :data:`REGISTRY` so the catalogue can be
listed and documented.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.context import current_request_id

PROBLEM_MEDIA_TYPE = "application/problem+json"

log = logging.getLogger("ddt.problems")


@dataclass(frozen=True, slots=True)
class ProblemType:
    """A kind of problem: its stable code, HTTP status, short title and explanation."""

    code: str
    status: int
    title: str
    description: str = ""

    @property
    def type_uri(self) -> str:
        """Relative URI of this problem's documentation."""
        return f"/problems/{self.code}"

    def describe(self) -> dict[str, object]:
        """The entry of this problem in the catalogue (``/problems``)."""
        return {
            "code": self.code,
            "status": self.status,
            "title": self.title,
            "description": self.description,
            "type": self.type_uri,
        }


REGISTRY: dict[str, ProblemType] = {}

CATALOGUE_EXTENSION = "x-ddt-problems"
"""The OpenAPI extension in which every service lists the problem types it declares.

Each service declares its own codes in its own process; the gateway, which documents
every ``type`` URI, learns them from the services' documents as it merges them."""


def catalogue() -> list[dict[str, object]]:
    """Every problem type declared in this process, by code."""
    return [REGISTRY[code].describe() for code in sorted(REGISTRY)]


def problem_type(code: str, status: int, title: str, description: str = "") -> ProblemType:
    """Declare (or fetch, if identical) the problem type ``code``."""
    existing = REGISTRY.get(code)
    new = ProblemType(code, status, title, description)
    if existing is not None and (existing.status, existing.title) != (status, title):
        raise ValueError(f"problem code {code!r} declared twice with different meaning")
    REGISTRY[code] = existing or new
    return REGISTRY[code]


# Problems every service can produce.
MALFORMED_JSON = problem_type("request.malformed_json", 400, "Malformed JSON body")
VALIDATION_FAILED = problem_type("request.validation_failed", 422, "Request failed validation")
UNSUPPORTED_MEDIA_TYPE = problem_type("request.unsupported_media_type", 415, "Unsupported content type")
BODY_TOO_LARGE = problem_type("request.body_too_large", 413, "Request body too large")
ROUTE_NOT_FOUND = problem_type("route.not_found", 404, "No such route")
METHOD_NOT_ALLOWED = problem_type("route.method_not_allowed", 405, "Method not allowed on this route")
NOT_FOUND = problem_type("resource.not_found", 404, "Resource not found")
CONFLICT = problem_type("resource.conflict", 409, "Conflicts with the current state")
INTERNAL_ERROR = problem_type(
    "internal.error", 500, "Internal error", "Unexpected; quote the request id when reporting it."
)
SERVICE_UNAVAILABLE = problem_type("service.unavailable", 503, "Service temporarily unavailable")
SERVICE_OVERLOADED = problem_type(
    "service.overloaded",
    503,
    "The service is at capacity",
    "Too many requests are in progress; this one was not executed. "
    "Retry after the number of seconds in Retry-After, with the same Idempotency-Key.",
)
IDENTITY_MISSING = problem_type(
    "auth.identity_missing",
    401,
    "Missing internal identity",
    "Services only answer requests forwarded by the gateway.",
)
IDENTITY_INVALID = problem_type("auth.identity_invalid", 401, "Invalid internal identity token")
FORBIDDEN = problem_type("auth.forbidden", 403, "Not allowed")

BAD_REQUEST = problem_type("request.bad", 400, "Bad request")

_STATUS_FALLBACK = {
    400: BAD_REQUEST,
    401: problem_type("auth.unauthenticated", 401, "Authentication required"),
    403: FORBIDDEN,
    404: ROUTE_NOT_FOUND,
    405: METHOD_NOT_ALLOWED,
    406: problem_type("request.not_acceptable", 406, "Not acceptable"),
    409: CONFLICT,
    413: BODY_TOO_LARGE,
    415: UNSUPPORTED_MEDIA_TYPE,
    422: VALIDATION_FAILED,
    429: problem_type("rate.limited", 429, "Too many requests"),
    500: INTERNAL_ERROR,
    502: problem_type("upstream.bad_gateway", 502, "Bad gateway"),
    503: SERVICE_UNAVAILABLE,
    504: problem_type("upstream.timeout", 504, "Upstream timed out"),
}


class ProblemError(Exception):
    """Raise anywhere in a request to answer with this problem."""

    def __init__(
        self,
        kind: ProblemType,
        detail: str | None = None,
        *,
        errors: Sequence[Mapping[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        status: int | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail or kind.title)
        self.kind = kind
        self.detail = detail
        self.errors = list(errors) if errors else None
        self.headers = dict(headers or {})
        self.status = status or kind.status
        self.extensions = extensions

    def to_body(self) -> dict[str, Any]:
        """The problem+json document."""
        return problem_body(self.kind, self.detail, status=self.status, errors=self.errors, **self.extensions)


def problem_body(
    kind: ProblemType,
    detail: str | None = None,
    *,
    status: int | None = None,
    errors: Sequence[Mapping[str, Any]] | None = None,
    **extensions: Any,
) -> dict[str, Any]:
    """Build a problem+json body for ``kind``."""
    body: dict[str, Any] = {
        "type": kind.type_uri,
        "title": kind.title,
        "status": status or kind.status,
        "code": kind.code,
    }
    if detail:
        body["detail"] = detail
    request_id = current_request_id()
    if request_id:
        body["request_id"] = request_id
    if errors:
        body["errors"] = list(errors)
    body.update(extensions)
    return body


def problem_response(
    kind: ProblemType,
    detail: str | None = None,
    *,
    status: int | None = None,
    errors: Sequence[Mapping[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    """A ready ``application/problem+json`` response."""
    body = problem_body(kind, detail, status=status, errors=errors, **extensions)
    return JSONResponse(
        body, status_code=body["status"], headers=dict(headers or {}), media_type=PROBLEM_MEDIA_TYPE
    )


def _pointer(loc: Sequence[Any]) -> str:
    """JSON pointer (RFC 6901) for a pydantic error location like ('body', 'lines', 0, 'qty')."""
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in loc]
    return "/" + "/".join(parts)


def validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Pydantic errors as ``{pointer, detail, type}`` items, without echoing input values."""
    return [
        {
            "pointer": _pointer(err.get("loc", ())),
            "detail": err.get("msg", "invalid"),
            "type": err.get("type"),
        }
        for err in exc.errors()
    ]


async def _on_problem(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return JSONResponse(
        exc.to_body(), status_code=exc.status, headers=exc.headers, media_type=PROBLEM_MEDIA_TYPE
    )


async def _on_validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = validation_errors(exc)
    if any(e["type"] == "json_invalid" for e in errors):
        where = next(e for e in errors if e["type"] == "json_invalid")
        return problem_response(MALFORMED_JSON, "The body is not valid JSON.", errors=[where])
    return problem_response(VALIDATION_FAILED, f"{len(errors)} field(s) failed validation.", errors=errors)


async def _on_http_exception(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    kind = _STATUS_FALLBACK.get(exc.status_code) or problem_type(
        f"http.{exc.status_code}", exc.status_code, "HTTP error"
    )
    detail = (
        exc.detail if isinstance(exc.detail, str) and exc.detail not in {kind.title, "Not Found"} else None
    )
    return problem_response(kind, detail, status=exc.status_code, headers=getattr(exc, "headers", None))


CONCURRENT_WRITE = problem_type(
    "resource.concurrent_write",
    409,
    "Another request wrote the same resource at the same moment",
    "Nothing of this request was stored (its transaction was rolled back); send it again — it is "
    "then answered from what the other request stored.",
)


#: How the drivers name a unique-key violation: PostgreSQL's SQLSTATE, SQLite's error names.
_UNIQUE_SQLSTATE = "23505"
_UNIQUE_SQLITE = frozenset({"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"})


def is_unique_violation(exc: IntegrityError) -> bool:
    """True when the database refused a row for a unique key another row holds."""
    orig = exc.orig
    return (
        getattr(orig, "sqlstate", None) == _UNIQUE_SQLSTATE
        or getattr(orig, "sqlite_errorname", None) in _UNIQUE_SQLITE
    )


async def _on_integrity_error(request: Request, exc: Exception) -> JSONResponse:
    # Two requests racing for one unique key (the same reference submitted twice at once):
    # the loser's unit of work rolled back, so a retry is safe and sees the winner's row.
    # Any other integrity error (NOT NULL, CHECK, a foreign key) is a defect a retry cannot
    # mend: it is answered as the unexpected error it is.
    if not isinstance(exc, IntegrityError) or not is_unique_violation(exc):
        return await _on_unexpected(request, exc)
    log.warning("concurrent write refused", extra={"error": type(exc.orig).__name__})
    return problem_response(
        CONCURRENT_WRITE,
        "A concurrent request stored the same resource first; send this one again.",
        headers={"Retry-After": "1"},
    )


async def _on_unexpected(_request: Request, exc: Exception) -> JSONResponse:
    # The stack trace goes to the log with the request id, never to the client.
    log.error("unhandled error", exc_info=exc)
    return problem_response(INTERNAL_ERROR, "An unexpected error occurred; quote the request id.")


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error ``app`` can raise answer as problem+json."""
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)
    app.add_exception_handler(IntegrityError, _on_integrity_error)
    app.add_exception_handler(Exception, _on_unexpected)
