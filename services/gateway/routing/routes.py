"""The catch-all route: every public ``/v1/…`` path not served by the gateway itself."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.routing.table import resolve
from shared.identity import Identity
from shared.problems import ROUTE_NOT_FOUND, ProblemError, problem_type

router = APIRouter()

UNAUTHENTICATED = problem_type("auth.unauthenticated", 401, "Authentication required")


def authenticate(request: Request) -> Identity:
    """Who is calling (the embedded development identity until request signing lands)."""
    dev_identity = request.app.state.runtime.settings.dev_identity
    if dev_identity:
        return Identity.model_validate(json.loads(dev_identity))
    raise ProblemError(UNAUTHENTICATED, "This request carries no credentials.")


@router.api_route(
    "/v1/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False
)
async def forward(request: Request, path: str) -> Response:
    """Authenticate, then forward to the service that owns the path."""
    route = resolve(request.url.path)
    if route is None:
        raise ProblemError(ROUTE_NOT_FOUND, f"No service serves {request.url.path}.")
    identity = authenticate(request)
    body = await request.body()
    return await request.app.state.runtime.extras["proxy"].forward(request, route, identity, body)
