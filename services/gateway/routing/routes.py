"""The catch-all route: every public ``/v1/…`` path served by a service behind the gateway.

Authentication, the role check, rate limiting and idempotency already ran in the
pipeline (:mod:`services.gateway.pipeline`); this route only forwards.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.caller import current_caller
from services.gateway.routing.proxy import Proxy
from services.gateway.routing.table import resolve
from shared.problems import ROUTE_NOT_FOUND, ProblemError

router = APIRouter()


@router.api_route(
    "/v1/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False
)
async def forward(request: Request, path: str) -> Response:
    """Forward to the service that owns the path."""
    route = resolve(request.url.path)
    if route is None:
        raise ProblemError(ROUTE_NOT_FOUND, "No route serves this path.")
    caller = current_caller(request)
    body = await request.body()
    return await request.app.state.runtime.components.get(Proxy).forward(
        request, route, caller.identity, body
    )
