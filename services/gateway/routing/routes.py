"""The last route under ``/v1/``: whatever no gateway route serves is refused, 405 or 404.

A body reaches it only if its type is one some service takes (``FORWARDED_MEDIA_TYPES``): a
wrong method with such a body is a 405, not a 415.

Paths owned by a service never get here: the pipeline (:mod:`services.gateway.pipeline`)
forwards them itself, before the framework routes anything. What reaches this route
is a path the role matrix knows but the gateway does not serve with that method. If the
merged OpenAPI declares the path with other methods, the answer is 405
``route.method_not_allowed`` with ``Allow`` listing them; otherwise 404 ``route.not_found``,
as an unknown path gets.
"""

from __future__ import annotations

from typing import Any, NoReturn

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.docs.openapi import MergedOpenApi
from shared.problems import METHOD_NOT_ALLOWED, ROUTE_NOT_FOUND, ProblemError

router = APIRouter()


async def refuse_unserved(app: Any, method: str, path: str) -> NoReturn:
    """No operation serves ``method path``: 405 with ``Allow`` if the path has others, else 404.

    ``Allow`` lists what the merged OpenAPI declares for the path, so it is exactly what a
    client reading the docs may call (RFC 9110 §15.5.6 requires the header on a 405).
    """
    allowed = await app.state.runtime.components.get(MergedOpenApi).allowed_methods(app.openapi(), path)
    if allowed and method not in allowed:
        raise ProblemError(
            METHOD_NOT_ALLOWED,
            f"{method} is not served at this path; it serves {', '.join(allowed)}.",
            headers={"Allow": ", ".join(allowed)},
        )
    raise ProblemError(ROUTE_NOT_FOUND, "No operation is served at this method and path.")


@router.api_route(
    "/v1/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False
)
async def not_served(path: str, request: Request) -> Response:
    """405 or 404: no gateway route and no service serves this method and path."""
    await refuse_unserved(request.app, request.method, request.url.path)
