"""The gateway's request pipeline for the public API (``/v1/…``), as one ASGI middleware.

For every API request, in this order:

1. **authenticate** — a DDT1-HMAC-SHA256 signature or an OAuth2 bearer token (401s);
2. **route** — the request must be a known operation (404, only after authentication,
   so an anonymous caller learns nothing about what exists);
3. **authorise** — the role × operation matrix (403);
4. **rate-limit** — the credential's token bucket (429 + Retry-After);
5. **idempotency** — on POST/PUT/PATCH, the Idempotency-Key rules (400/409/422/replay);
6. the route itself — a gateway route, or the proxy to a service;
7. **audit** — one row per call, whatever the outcome.

It runs inside the shared middleware, so the body is already size-checked (413)
and the request id is already the gateway's own.
"""

from __future__ import annotations

import json
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.gateway.audit.writer import AuditRecord, outcome_of
from services.gateway.auth.authenticator import request_headers
from services.gateway.authorization.matrix import ResolvedOperation, authorize, resolve_operation
from services.gateway.caller import Caller
from services.gateway.components import GatewayComponents
from services.gateway.idempotency.service import (
    HEADER as IDEMPOTENCY_HEADER,
)
from services.gateway.idempotency.service import (
    METHODS as IDEMPOTENT_METHODS,
)
from services.gateway.idempotency.service import (
    NOT_EXECUTED_CODES,
    STORED_RESPONSE_HEADERS,
    fingerprint,
    parse_key,
)
from services.gateway.problems import RATE_LIMITED
from services.gateway.routing.proxy import Proxy
from services.gateway.routing.routes import refuse_unserved
from services.gateway.routing.table import Route
from services.gateway.routing.table import resolve as resolve_route
from shared.identity import Identity, scope_target
from shared.problems import PROBLEM_MEDIA_TYPE, ProblemError
from shared.sqltypes import utcnow

API_PREFIX = "/v1/"

#: Operations after which cached registry entries are stale (the generation is bumped after
#: the commit, before the response leaves, so the caller's next request sees the change).
REGISTRY_WRITES = frozenset(
    {
        "parties.create",
        "parties.update",
        "parties.suspend",
        "parties.reactivate",
        "parties.codes.add",
        "parties.codes.remove",
        "parties.codes.kinds",
        "parties.delegations.add",
        "parties.delegations.remove",
        "parties.credentials.create",
        "parties.credentials.revoke",
        "credentials.create",
        "credentials.revoke",
    }
)


def proxy_of(scope: Scope) -> Proxy:
    """The process's proxy."""
    proxy: Proxy = scope["app"].state.runtime.components.get(Proxy)
    return proxy


_CAPTURE_LIMIT = 16_384


async def send_problem_response(send: Send, exc: ProblemError) -> None:
    """Answer with ``exc`` as problem+json (its status and headers)."""
    body = json.dumps(exc.to_body()).encode()
    headers = [(b"content-type", PROBLEM_MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in exc.headers.items()]
    await send({"type": "http.response.start", "status": exc.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def proxy_app(proxy: Proxy, route: Route, identity: Identity | None, body: bytes) -> ASGIApp:
    """The request's handler when a service serves it: forward straight from the pipeline.

    Skipping the framework's routing for proxied calls is most of the gateway's per-request
    cost saved; the catch-all route in :mod:`services.gateway.routing.routes` is not reached.
    """

    async def app(scope: Scope, _receive: Receive, send: Send) -> None:
        try:
            status, headers, content = await proxy.forward_raw(scope, route, identity, body)
        except ProblemError as exc:
            await send_problem_response(send, exc)
            return
        raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        raw.append((b"content-length", str(len(content)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": content})

    return app


class _Recorder:
    """Passes the response through, remembering its status and the start of its body."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.status = 500
        self.content_type = ""
        self.body = bytearray()
        self.started = False

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            self.status = message["status"]
            for key, value in message.get("headers", []):
                if key.lower() == b"content-type":
                    self.content_type = value.decode("latin-1")
        elif message["type"] == "http.response.body" and len(self.body) < _CAPTURE_LIMIT:
            self.body.extend(message.get("body", b"")[: _CAPTURE_LIMIT - len(self.body)])
        await self._send(message)

    async def send_problem(self, exc: ProblemError) -> None:
        await send_problem_response(self.send, exc)

    def json_field(self, name: str) -> str | None:
        if "json" not in self.content_type:
            return None
        try:
            value = json.loads(bytes(self.body)).get(name)
        except (ValueError, AttributeError):
            return None
        return value if isinstance(value, str) else None


class _Buffer:
    """Holds a whole response so it can be stored before the client sees it."""

    def __init__(self) -> None:
        self.status = 500
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = bytearray()

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            self.body.extend(message.get("body", b""))

    def header(self, name: str) -> str | None:
        raw = name.encode()
        return next((v.decode("latin-1") for k, v in self.headers if k.lower() == raw), None)

    def problem_code(self) -> str | None:
        if not (self.header("content-type") or "").startswith(PROBLEM_MEDIA_TYPE):
            return None
        try:
            code = json.loads(bytes(self.body)).get("code")
        except (ValueError, AttributeError):
            return None
        return code if isinstance(code, str) else None

    async def replay(self, send: Send, extra: list[tuple[bytes, bytes]] = ()) -> None:  # type: ignore[assignment]
        await send(
            {"type": "http.response.start", "status": self.status, "headers": self.headers + list(extra)}
        )
        await send({"type": "http.response.body", "body": bytes(self.body)})


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


class GatewayPipeline:
    """ASGI middleware running the pipeline described in the module docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        gw: GatewayComponents = scope["app"].state.runtime.components.get(GatewayComponents)
        started = time.perf_counter()
        state = scope.setdefault("state", {})
        state["arrived_wall"] = time.time()  # the request budget counts from here (shared.budget)
        method = scope["method"]
        body = await _read_body(receive)
        delivered = False

        async def replay_body() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        resolved = resolve_operation(method, scope["path"])
        if resolved is not None:
            # Proxied operations have no FastAPI route; traces name them by the operation.
            state["operation_template"] = resolved.operation.template
        recorder = _Recorder(send)
        caller: Caller | None = None
        if resolved is not None and resolved.operation.public:
            await self._public(scope, resolved, replay_body, recorder, body, gw, state, started)
            return
        try:
            headers = request_headers(scope.get("headers", []))
            path, query = scope_target(scope)
            caller, decision = await gw.authenticator.authenticate(
                headers=headers, method=method, path=path, query=query, body=body
            )
            state["caller"] = caller
            state["identity"] = caller.identity
            if resolved is None:
                await refuse_unserved(scope["app"], method, scope["path"])
            authorize(resolved, caller)
            if not decision.allowed:
                raise ProblemError(
                    RATE_LIMITED,
                    f"This credential's rate limit is exhausted; retry in {decision.retry_after} s.",
                    headers={"Retry-After": str(decision.retry_after)},
                )
            route = resolve_route(scope["path"])
            app = self.app if route is None else proxy_app(proxy_of(scope), route, caller.identity, body)
            changes_registry = resolved.operation.name in REGISTRY_WRITES
            if method in IDEMPOTENT_METHODS:
                await self._idempotent(
                    gw,
                    app,
                    scope,
                    replay_body,
                    recorder,
                    caller,
                    headers,
                    path,
                    query,
                    body,
                    changes_registry,
                )
            elif changes_registry:
                buffer = _Buffer()
                await app(scope, replay_body, buffer.send)
                if buffer.status < 400:
                    await gw.authenticator.registry_changed()
                await buffer.replay(recorder.send)
            else:
                await app(scope, replay_body, recorder.send)
        except ProblemError as exc:
            if recorder.started:
                raise
            await recorder.send_problem(exc)
        finally:
            self._audit(gw, scope, state, resolved, caller, recorder, started)

    async def _public(
        self,
        scope: Scope,
        resolved: ResolvedOperation,
        receive: Receive,
        recorder: _Recorder,
        body: bytes,
        gw: GatewayComponents,
        state: dict[str, Any],
        started: float,
    ) -> None:
        """A public operation (a page or static file holding no data): no credentials, no identity."""
        route = resolve_route(scope["path"])
        try:
            app = self.app if route is None else proxy_app(proxy_of(scope), route, None, body)
            await app(scope, receive, recorder.send)
        except ProblemError as exc:
            if recorder.started:
                raise
            await recorder.send_problem(exc)
        finally:
            self._audit(gw, scope, state, resolved, None, recorder, started)

    async def _idempotent(
        self,
        gw: GatewayComponents,
        app: ASGIApp,
        scope: Scope,
        receive: Receive,
        recorder: _Recorder,
        caller: Caller,
        headers: dict[str, str],
        path: str,
        query: str,
        body: bytes,
        changes_registry: bool,
    ) -> None:
        key = parse_key(headers.get(IDEMPOTENCY_HEADER))
        party_id = caller.party_id
        stored = await gw.idempotency.begin(
            party_id=party_id,
            key=key,
            method=scope["method"],
            path=path,
            fingerprint=fingerprint(scope["method"], path, query, body),
            request_id=scope["state"]["request_id"],
        )
        if stored is not None:
            replay_headers = [(k.encode(), v.encode("latin-1")) for k, v in stored.headers.items()]
            replay_headers += [
                (b"content-length", str(len(stored.body)).encode()),
                (b"idempotent-replayed", b"true"),
            ]
            await recorder.send(
                {"type": "http.response.start", "status": stored.status, "headers": replay_headers}
            )
            await recorder.send({"type": "http.response.body", "body": stored.body})
            return
        buffer = _Buffer()
        try:
            await app(scope, receive, buffer.send)
        except BaseException:
            await gw.idempotency.release(party_id=party_id, key=key)
            raise
        code = buffer.problem_code()
        if buffer.status == 504:
            pass  # the service may have applied it: the key stays locked, then may be retried
        elif buffer.status >= 500 or code in NOT_EXECUTED_CODES:
            await gw.idempotency.release(party_id=party_id, key=key)
        else:
            kept = {name: v for name in STORED_RESPONSE_HEADERS if (v := buffer.header(name)) is not None}
            await gw.idempotency.complete(
                party_id=party_id, key=key, status=buffer.status, headers=kept, body=bytes(buffer.body)
            )
        if changes_registry and buffer.status < 400:
            await gw.authenticator.registry_changed()
        await buffer.replay(recorder.send)

    @staticmethod
    def _audit(
        gw: GatewayComponents,
        scope: Scope,
        state: dict[str, Any],
        resolved: ResolvedOperation | None,
        caller: Caller | None,
        recorder: _Recorder,
        started: float,
    ) -> None:
        status = recorder.status
        object_id = resolved.object_id if resolved else None
        if object_id is None and status == 201:
            object_id = recorder.json_field("id") or recorder.json_field("key_id")
        gw.audit.record(
            AuditRecord(
                occurred_at=utcnow(),
                request_id=state.get("request_id", ""),
                client_request_id=(state.get("client_request_id") or None)
                and state["client_request_id"][:200],
                party_id=caller.party_id if caller else None,
                credential_id=caller.credential_id if caller else None,
                auth_method=caller.auth_method if caller else None,
                operation=resolved.operation.name if resolved else "unknown",
                method=scope["method"],
                path=scope["path"],
                object_id=object_id[:200] if object_id else None,
                status=status,
                outcome=outcome_of(status),
                problem_code=recorder.json_field("code") if status >= 400 else None,
                duration_us=int((time.perf_counter() - started) * 1_000_000),
            )
        )
