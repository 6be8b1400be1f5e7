"""Forwarding a request to its service with the caller's verified identity.

* One keep-alive connection pool per service and process
  (:mod:`services.gateway.routing.upstream_http`).
* Nothing is retried, by the pool or here: a POST that timed out may have been applied,
  and only the client, with its Idempotency-Key, may safely send it again.
* Separate connect and read timeouts; a timeout answers 504, a refused connection 503.
* A circuit breaker per service answers 503 at once while the service is down.
* The request budget (:mod:`shared.budget`): a request that waited in the gateway past its
  queue share is refused here (503 ``gateway.overloaded``) instead of being forwarded late;
  a forwarded one carries the instant by which its service must start it
  (:data:`~shared.budget.START_BY_HEADER`), and connecting may take the queue share.
* Only the headers a service needs travel upstream: the gateway's request id, the
  client's own id beside it, content negotiation, the signed identity token and, when
  tracing is on, the gateway's W3C ``traceparent`` (never the client's) — never the
  client's credentials.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import httpx
from starlette.types import Scope

from services.gateway.problems import CIRCUIT_OPEN, GATEWAY_OVERLOADED, UPSTREAM_TIMEOUT, UPSTREAM_UNAVAILABLE
from services.gateway.routing.circuit import CircuitBreaker, CircuitOpenError
from services.gateway.routing.inflight import UPSTREAM_ANSWERED, InflightLimits
from services.gateway.routing.table import Route
from services.gateway.routing.upstream_http import UpstreamPool, UpstreamTimeout, UpstreamUnavailable
from shared.budget import START_BY_HEADER, RequestBudget
from shared.identity import IDENTITY_HEADER, Identity, IdentitySigner, scope_target
from shared.problems import ProblemError
from shared.tracing import client_span

log = logging.getLogger("ddt.gateway.proxy")

_FORWARD_REQUEST_HEADERS = frozenset({b"content-type", b"accept", b"accept-language", b"idempotency-key"})
_FORWARD_RESPONSE_HEADERS = frozenset(
    {
        b"content-type",
        b"location",
        b"retry-after",
        # a service's 405 names the methods the path serves (RFC 9110 requires it)
        b"allow",
        b"content-disposition",
        b"cache-control",
        b"etag",
        # pages served through the gateway (the stats dashboard) keep their security headers
        b"content-security-policy",
        b"x-content-type-options",
        b"referrer-policy",
    }
)
_BREAKER_STATUSES = frozenset({502, 503, 504})


def upstream_client(*, timeout: float, connect_timeout: float, max_connections: int) -> httpx.AsyncClient:
    """An httpx client for the gateway's other calls to services (OpenAPI documents): no retries."""
    return httpx.AsyncClient(
        transport=httpx.AsyncHTTPTransport(
            retries=0,
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        ),
        timeout=httpx.Timeout(timeout, connect=connect_timeout, pool=connect_timeout),
        follow_redirects=False,
    )


class Proxy:
    """Forwards requests to the services."""

    def __init__(
        self,
        signer: IdentitySigner,
        upstreams: dict[str, str],
        *,
        budget: RequestBudget | None = None,
        read_timeout: float = 30.0,
        failure_threshold: int = 5,
        open_seconds: float = 10.0,
        inflight_floor: int = 8,
        max_connections: int = 200,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.signer = signer
        self.upstreams = upstreams
        self.budget = budget or RequestBudget(1.0)
        self._wall = wall
        # Checked at the gateway's door (InflightDoor), before a request is read or authenticated.
        self.inflight = InflightLimits(
            upstreams, self.budget, floor=inflight_floor, ceiling=max(inflight_floor, max_connections)
        )
        self.breakers = {name: CircuitBreaker(failure_threshold, open_seconds) for name in upstreams}
        self.pools = {
            name: UpstreamPool(
                base, connect_timeout=self.budget.connect_timeout_seconds, read_timeout=read_timeout
            )
            for name, base in upstreams.items()
        }

    async def aclose(self) -> None:
        """Close the pooled connections."""
        for pool in self.pools.values():
            await pool.aclose()

    async def forward_raw(
        self, scope: Scope, route: Route, identity: Identity | None, body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """Send the request in ``scope`` to ``route.service``; its status, kept headers and body.

        ``identity`` is None only for public operations (no identity token is sent, so the
        service serves nothing that needs one).

        Raises :class:`ProblemError` for a request that waited past its budget's queue share
        (503), an open circuit (503), a timeout (504) or an unreachable service (503).
        """
        state = scope["state"]
        arrived = state.get("arrived_wall")
        if arrived is None:
            arrived = state["arrived_wall"] = self._wall()
        waited = self._wall() - arrived
        if waited > self.budget.queue_seconds:
            # Its client is owed an answer within the budget; forwarding it now would only add
            # to the queue ahead of the requests that can still make it.
            raise ProblemError(
                GATEWAY_OVERLOADED,
                f"The request waited {waited * 1000:.0f} ms in the gateway "
                f"(its budget allows {self.budget.queue_seconds * 1000:.0f} ms before it is forwarded).",
                headers={"Retry-After": str(self.budget.retry_after_seconds)},
            )
        breaker = self.breakers[route.service]
        try:
            breaker.before_call()
        except CircuitOpenError as exc:
            raise ProblemError(
                CIRCUIT_OPEN,
                f"The {route.service} service is failing; not calling it for {exc.retry_after} s.",
                headers={"Retry-After": str(exc.retry_after)},
            ) from None
        request_id = state["request_id"]
        headers: list[tuple[bytes, bytes]] = []
        seen: set[bytes] = set()
        for key, value in scope.get("headers", ()):
            name = key.lower()
            if name in _FORWARD_REQUEST_HEADERS and name not in seen:
                seen.add(name)
                headers.append((name, value))
        headers.append((b"x-request-id", request_id.encode()))
        headers.append((START_BY_HEADER.encode(), self.budget.start_by_stamp(arrived).encode()))
        if state.get("client_request_id"):
            headers.append(
                (b"x-client-request-id", state["client_request_id"][:200].encode("latin-1", "replace"))
            )
        if identity is not None:
            # Bound to the target exactly as it is forwarded below, in the canonical form the
            # service's verifier computes from what it receives (shared.identity).
            wire_path, wire_query = scope_target(scope)
            token = self.signer.mint(
                identity,
                audience=f"ddt-{route.service}",
                method=scope["method"],
                path=wire_path,
                query=wire_query,
                request_id=request_id,
            )
            headers.append((IDENTITY_HEADER.encode(), token.encode()))
        raw_path, _, stray_query = (scope.get("raw_path") or route.path.encode()).partition(b"?")
        query = scope.get("query_string", b"") or stray_query
        target = raw_path + (b"?" + query if query else b"")
        try:
            # Tracing off, a shared null context; on, a CLIENT span whose traceparent joins headers.
            with client_span(
                f"{scope['method']} {route.service}",
                headers,
                {"http.request.method": scope["method"], "ddt.upstream": route.service},
            ) as span:
                upstream = await self.pools[route.service].request(scope["method"], target, headers, body)
                if span is not None:
                    span.set_attribute("http.response.status_code", upstream.status)
        except UpstreamTimeout:
            breaker.on_failure()
            log.warning("upstream timed out", extra={"service": route.service})
            raise ProblemError(
                UPSTREAM_TIMEOUT, f"The {route.service} service did not answer in time."
            ) from None
        except UpstreamUnavailable as exc:
            breaker.on_failure()
            log.warning("upstream unreachable", extra={"service": route.service, "error": str(exc)})
            raise ProblemError(
                UPSTREAM_UNAVAILABLE,
                f"The {route.service} service cannot be reached.",
                headers={"Retry-After": "5"},
            ) from None
        shedding = upstream.status == 503 and any(k == b"retry-after" for k, _ in upstream.headers)
        if not shedding:
            # The service did this request's work: its hold teaches the door's throughput estimate.
            state[UPSTREAM_ANSWERED] = True
        if upstream.status in _BREAKER_STATUSES and not shedding:
            breaker.on_failure()
        else:
            # A 503 with Retry-After is a live service refusing excess load at its door: it
            # answered at once, so it is not failing — opening the circuit would refuse the
            # requests it can still take.
            breaker.on_success()
        kept = {
            k.decode(): v.decode("latin-1") for k, v in upstream.headers if k in _FORWARD_RESPONSE_HEADERS
        }
        return upstream.status, kept, upstream.body
