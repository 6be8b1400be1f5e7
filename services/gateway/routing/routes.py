"""The last route under ``/v1/``: whatever no gateway route serves is "no such route".

Paths owned by a service never get here: the pipeline (:mod:`services.gateway.pipeline`)
forwards them itself, before the framework routes anything. What reaches this route
is a path the role matrix knows but the gateway does not serve with that method; it
answers 404 ``route.not_found``, as an unknown path does.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from shared.problems import ROUTE_NOT_FOUND, ProblemError

router = APIRouter()


@router.api_route(
    "/v1/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False
)
async def not_served(path: str) -> Response:
    """404: no gateway route and no service serves this method and path."""
    raise ProblemError(ROUTE_NOT_FOUND, "No route serves this path.")
