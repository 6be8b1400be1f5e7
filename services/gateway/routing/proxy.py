"""Forwarding a request to its service with the caller's verified identity.

* One ``httpx.AsyncClient`` per process keeps connections to the services alive.
* Its transport never retries (``retries=0``) and the gateway adds no retry of its
  own: a POST that timed out may have been applied, and only the client, with its
  Idempotency-Key, may safely send it again.
* Separate connect and read timeouts; a timeout answers 504, a refused connection 503.
* A circuit breaker per service answers 503 at once while the service is down.
* Only the headers a service needs travel upstream: the gateway's request id, the
  client's own id beside it, content negotiation and the signed identity token —
  never the client's credentials.
"""

from __future__ import annotations

import logging

import httpx
from fastapi.responses import Response
from starlette.requests import Request
from starlette.types import Scope

from services.gateway.problems import CIRCUIT_OPEN, UPSTREAM_TIMEOUT, UPSTREAM_UNAVAILABLE
from services.gateway.routing.circuit import CircuitBreaker, CircuitOpenError
from services.gateway.routing.table import Route
from shared.identity import IDENTITY_HEADER, Identity, IdentitySigner
from shared.middleware import CLIENT_REQUEST_ID_HEADER, REQUEST_ID_HEADER
from shared.problems import ProblemError

log = logging.getLogger("ddt.gateway.proxy")

_FORWARD_REQUEST_HEADERS = frozenset({"content-type", "accept", "accept-language", "idempotency-key"})
_FORWARD_RESPONSE_HEADERS = ("content-type", "location", "retry-after", "content-disposition", "cache-control",
                             "etag")
_BREAKER_STATUSES = frozenset({502, 503, 504})


def upstream_client(*, timeout: float, connect_timeout: float, max_connections: int) -> httpx.AsyncClient:
    """The process-wide client to the services: keep-alive, no retries, no redirects."""
    return httpx.AsyncClient(
        transport=httpx.AsyncHTTPTransport(
            retries=0, limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        ),
        timeout=httpx.Timeout(timeout, connect=connect_timeout, pool=connect_timeout),
        follow_redirects=False,
    )


class Proxy:
    """Forwards requests to the services."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        signer: IdentitySigner,
        upstreams: dict[str, str],
        *,
        failure_threshold: int = 5,
        open_seconds: float = 10.0,
    ) -> None:
        self.client = client
        self.signer = signer
        self.upstreams = upstreams
        self.breakers = {name: CircuitBreaker(failure_threshold, open_seconds) for name in upstreams}
        self._bases = {name: httpx.URL(base) for name, base in upstreams.items()}

    async def forward(self, request: Request, route: Route, identity: Identity, body: bytes) -> Response:
        """Send ``request`` to ``route.service`` as ``identity``; relay its answer."""
        status, headers, content = await self.forward_raw(request.scope, route, identity, body)
        return Response(content=content, status_code=status, headers=headers)

    async def forward_raw(
        self, scope: Scope, route: Route, identity: Identity, body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """Send the request in ``scope`` to ``route.service``; its status, kept headers and body.

        Raises :class:`ProblemError` for an open circuit (503), a timeout (504) or an
        unreachable service (503).
        """
        breaker = self.breakers[route.service]
        try:
            breaker.before_call()
        except CircuitOpenError as exc:
            raise ProblemError(
                CIRCUIT_OPEN, f"The {route.service} service is failing; not calling it for {exc.retry_after} s.",
                headers={"Retry-After": str(exc.retry_after)},
            ) from None
        state = scope["state"]
        request_id = state["request_id"]
        headers: dict[str, str] = {}
        for key, value in scope.get("headers", ()):
            name = key.decode("latin-1").lower()
            if name in _FORWARD_REQUEST_HEADERS and name not in headers:
                headers[name] = value.decode("latin-1")
        headers[REQUEST_ID_HEADER] = request_id
        if state.get("client_request_id"):
            headers[CLIENT_REQUEST_ID_HEADER] = state["client_request_id"][:200]
        headers[IDENTITY_HEADER] = self.signer.mint(
            identity, audience=f"ddt-{route.service}", method=scope["method"], path=route.path, request_id=request_id
        )
        raw_path = (scope.get("raw_path") or route.path.encode()).partition(b"?")[0]
        query = scope.get("query_string", b"")
        url = self._bases[route.service].copy_with(raw_path=raw_path + (b"?" + query if query else b""))
        try:
            upstream = await self.client.request(scope["method"], url, content=body or None, headers=headers)
        except httpx.TimeoutException as exc:
            breaker.on_failure()
            log.warning("upstream timed out", extra={"service": route.service, "error": type(exc).__name__})
            raise ProblemError(UPSTREAM_TIMEOUT, f"The {route.service} service did not answer in time.") from None
        except httpx.TransportError as exc:
            breaker.on_failure()
            log.warning("upstream unreachable", extra={"service": route.service, "error": repr(exc)})
            raise ProblemError(
                UPSTREAM_UNAVAILABLE, f"The {route.service} service cannot be reached.", headers={"Retry-After": "5"}
            ) from None
        if upstream.status_code in _BREAKER_STATUSES:
            breaker.on_failure()
        else:
            breaker.on_success()
        kept = {k: v for k in _FORWARD_RESPONSE_HEADERS if (v := upstream.headers.get(k)) is not None}
        return upstream.status_code, kept, upstream.content
