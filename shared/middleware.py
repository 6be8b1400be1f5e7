"""ASGI middleware every service runs: request context, body limits, media types.

Written as plain ASGI (not ``BaseHTTPMiddleware``) because they sit on every request
and the gateway's latency budget is a few milliseconds.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Mapping
from typing import Any

from starlette.routing import Match, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared import metrics, tracing
from shared.context import new_request_id, reset_request_id, set_request_id
from shared.problems import (
    BAD_REQUEST,
    BODY_TOO_LARGE,
    INTERNAL_ERROR,
    PROBLEM_MEDIA_TYPE,
    UNSUPPORTED_MEDIA_TYPE,
    ProblemType,
    problem_body,
)

access_log = logging.getLogger("ddt.access")

REQUEST_ID_HEADER = "x-request-id"
CLIENT_REQUEST_ID_HEADER = "x-client-request-id"
_BODY_METHODS = {"POST", "PUT", "PATCH"}
_QUIET_PATHS = {"/healthz", "/readyz", "/metrics"}


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


async def send_problem(
    send: Send,
    kind: ProblemType,
    detail: str,
    *,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> None:
    """Answer directly from middleware with a problem+json document (and extra ``headers``)."""
    document = problem_body(kind, detail, **extensions)
    body = json.dumps(document).encode()
    raw = [
        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    raw += [
        (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in (headers or {}).items()
    ]
    await send({"type": "http.response.start", "status": document["status"], "headers": raw})
    await send({"type": "http.response.body", "body": body})


class RequestContextMiddleware:
    """Give every request an id, time it, count it and write one access-log line.

    ``trust_request_id``: internal services keep the ``X-Request-ID`` the gateway
    sent; the gateway never trusts a client's and keeps it as ``client_request_id``.
    """

    def __init__(self, app: ASGIApp, *, service: str, trust_request_id: bool) -> None:
        self.app = app
        self.service = service
        self.trust_request_id = trust_request_id

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, REQUEST_ID_HEADER.encode())
        request_id = (
            incoming if (self.trust_request_id and incoming and len(incoming) <= 64) else new_request_id()
        )
        client_request_id = None if self.trust_request_id else incoming
        scope.setdefault("state", {})["request_id"] = request_id
        scope["state"]["client_request_id"] = client_request_id
        token = set_request_id(request_id)
        # Probes and scrapes every few seconds would bury the traces people look for.
        span = (
            tracing.ServerSpan(
                scope, request_id, continue_trace=self.trust_request_id, client_request_id=client_request_id
            )
            if tracing.enabled() and scope.get("path") not in _QUIET_PATHS
            else None
        )
        failure: BaseException | None = None
        started = time.perf_counter()
        status_holder = [500]
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
                status_holder[0] = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            failure = exc
            # Answer here, while the request id is still bound, rather than letting the
            # server's error page (no id, maybe a trace) reach the client.
            if response_started:
                raise
            access_log.error("unhandled error", exc_info=True)
            await send_problem(
                send_with_id, INTERNAL_ERROR, "An unexpected error occurred; quote the request id."
            )
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "")
            status = status_holder[0]
            metrics.HTTP_REQUESTS.labels(self.service, method, template, str(status)).inc()
            metrics.HTTP_LATENCY.labels(self.service, method, template).observe(elapsed)
            if scope.get("path") not in _QUIET_PATHS:
                access_log.info(
                    "request",
                    extra={
                        "method": method,
                        "path": scope.get("path"),
                        "route": template,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 2),
                        "client_request_id": client_request_id,
                    },
                )
            if span is not None:
                span.end(
                    status, getattr(route, "path", None) or scope["state"].get("operation_template"), failure
                )
            reset_request_id(token)


class BodyLimitMiddleware:
    """Refuse bodies over ``max_bytes`` with 413, before or while they stream in.

    The body is buffered (bounded by the limit) and replayed to the app, so an app
    never sees a truncated body and a too-large one never reaches a handler.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None:
            try:
                declared_len = int(declared)
            except ValueError:
                declared_len = -1
            if declared_len < 0:
                await send_problem(send, BAD_REQUEST, "Content-Length is not a valid length.")
                return
            if declared_len > self.max_bytes:
                await send_problem(
                    send,
                    BODY_TOO_LARGE,
                    f"The body is {declared_len} bytes; the limit is {self.max_bytes}.",
                    limit=self.max_bytes,
                )
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await send_problem(
                    send,
                    BODY_TOO_LARGE,
                    f"The body exceeds the limit of {self.max_bytes} bytes.",
                    limit=self.max_bytes,
                )
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class MediaTypeMiddleware:
    """Refuse a request body whose Content-Type the service does not speak (415).

    ``accepted`` lists media types (without parameters); ``+json`` and ``+xml``
    structured suffixes of accepted JSON/XML types pass too. With ``router``, only a
    request some route serves with its method is judged: a method the path does not have
    goes on to the router's 405 (404 for no path), which tells the client what is wrong
    — a 415 would send it to fix a body no route would take.
    """

    def __init__(self, app: ASGIApp, *, accepted: Iterable[str], router: Router | None = None) -> None:
        self.app = app
        self.accepted = {a.lower() for a in accepted}
        self.router = router

    def _served(self, scope: Scope) -> bool:
        if self.router is None:
            return True
        return any(route.matches(scope)[0] is Match.FULL for route in self.router.routes)

    def _acceptable(self, content_type: str | None) -> bool:
        if not content_type:
            return False
        media = content_type.split(";", 1)[0].strip().lower()
        if media in self.accepted:
            return True
        if media.endswith("+json") and "application/json" in self.accepted:
            return True
        return media.endswith("+xml") and "application/xml" in self.accepted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        content_type = _header(scope, b"content-type")
        declared = _header(scope, b"content-length")
        chunked = "chunked" in (_header(scope, b"transfer-encoding") or "").lower()
        has_body = content_type is not None or chunked or declared not in (None, "0")
        if has_body and not self._acceptable(content_type) and self._served(scope):
            await send_problem(
                send,
                UNSUPPORTED_MEDIA_TYPE,
                f"Content-Type {content_type or '(none)'} is not accepted; "
                f"use one of {sorted(self.accepted)}.",
                accepted=sorted(self.accepted),
            )
            return
        await self.app(scope, receive, send)
