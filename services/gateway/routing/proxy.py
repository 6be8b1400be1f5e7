"""Forwarding a request to its service with the caller's verified identity.

One ``httpx.AsyncClient`` per process keeps connections to the services alive. Only
the headers a service needs travel upstream: the gateway's request id, the client's
own id kept beside it, content negotiation, and the signed identity token — never the
client's credentials.
"""

from __future__ import annotations

import logging

import httpx
from fastapi import Request
from fastapi.responses import Response

from services.gateway.routing.table import Route
from shared.identity import IDENTITY_HEADER, Identity, IdentitySigner
from shared.middleware import CLIENT_REQUEST_ID_HEADER, REQUEST_ID_HEADER
from shared.problems import ProblemError, problem_type

log = logging.getLogger("ddt.gateway.proxy")

UPSTREAM_UNAVAILABLE = problem_type(
    "upstream.unavailable", 503, "Service unavailable", "The service behind this route cannot be reached now."
)
UPSTREAM_TIMEOUT = problem_type("upstream.timeout", 504, "Upstream timed out")

_FORWARD_REQUEST_HEADERS = ("content-type", "accept", "accept-language", "idempotency-key")
_FORWARD_RESPONSE_HEADERS = (
    "content-type",
    "location",
    "retry-after",
    "content-disposition",
    "cache-control",
    "etag",
)


class Proxy:
    """Forwards requests to the services."""

    def __init__(self, client: httpx.AsyncClient, signer: IdentitySigner, upstreams: dict[str, str]) -> None:
        self.client = client
        self.signer = signer
        self.upstreams = upstreams

    async def forward(self, request: Request, route: Route, identity: Identity, body: bytes) -> Response:
        """Send ``request`` to ``route.service`` as ``identity``; relay its answer."""
        request_id = request.state.request_id
        headers = {k: v for k in _FORWARD_REQUEST_HEADERS if (v := request.headers.get(k)) is not None}
        headers[REQUEST_ID_HEADER] = request_id
        if request.state.client_request_id:
            headers[CLIENT_REQUEST_ID_HEADER] = request.state.client_request_id
        headers[IDENTITY_HEADER] = self.signer.mint(
            identity,
            audience=f"ddt-{route.service}",
            method=request.method,
            path=route.path,
            request_id=request_id,
        )
        url = self.upstreams[route.service] + route.path
        try:
            upstream = await self.client.request(
                request.method,
                url,
                params=request.query_params.multi_items(),
                content=body or None,
                headers=headers,
            )
        except httpx.TimeoutException as exc:
            raise ProblemError(
                UPSTREAM_TIMEOUT, f"The {route.service} service did not answer in time."
            ) from exc
        except httpx.TransportError as exc:
            log.warning("upstream unreachable", extra={"service": route.service, "error": repr(exc)})
            raise ProblemError(
                UPSTREAM_UNAVAILABLE,
                f"The {route.service} service cannot be reached.",
                headers={"Retry-After": "5"},
            ) from exc
        response_headers = {
            k: v for k in _FORWARD_RESPONSE_HEADERS if (v := upstream.headers.get(k)) is not None
        }
        return Response(content=upstream.content, status_code=upstream.status_code, headers=response_headers)
