"""Reference HTTP clients for the Diandiantong gateway (sync and async, over httpx).

What they do for you:

* sign every request with DDT1-HMAC-SHA256 (or, in ``auth="oauth"`` mode, send
  a bearer token obtained with the client-credentials grant and cached until
  shortly before it expires);
* add an ``Idempotency-Key`` (UUID4) to POST/PUT/PATCH unless you pass one,
  and reuse that same key on every retry of the call;
* retry only where it is safe and useful: connection failures (nothing reached
  the server), 503 and 429, honouring ``Retry-After``; each retry is re-signed
  with a fresh timestamp and nonce (a reused nonce would be refused);
* raise :class:`DdtApiError` carrying the RFC 9457 problem fields on 4xx/5xx.
"""

from __future__ import annotations

import asyncio
import base64
import email.utils
import json as jsonlib
import random
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC
from enum import StrEnum
from typing import Any, Literal

import httpx

from .signing import prepare_signature

__all__ = [
    "AsyncDdtClient",
    "DdtApiError",
    "DdtClient",
    "IDEMPOTENCY_KEY_HEADER",
    "IdempotencyProblemCode",
    "REQUEST_ID_HEADER",
]

IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
REQUEST_ID_HEADER = "X-Request-Id"
TOKEN_PATH = "/oauth/token"  # noqa: S105 - a URL path, not a password
_METHODS_NEEDING_IDEMPOTENCY_KEY = frozenset({"POST", "PUT", "PATCH"})
_RETRY_STATUSES = frozenset({429, 503})
_CONNECT_FAILURES = (httpx.ConnectError, httpx.ConnectTimeout)
_MAX_RETRY_AFTER_SECONDS = 60.0
# Refresh a cached token this long before it expires, so a token never lapses
# between our check and the gateway's.
_TOKEN_EXPIRY_MARGIN_SECONDS = 30.0

AuthMode = Literal["hmac", "oauth"]


class IdempotencyProblemCode(StrEnum):
    """Stable ``code`` values the gateway uses for Idempotency-Key failures (docs/signing.md §8)."""

    KEY_MISSING = "idempotency.key_missing"  # 400
    KEY_MALFORMED = "idempotency.key_malformed"  # 400
    PAYLOAD_MISMATCH = "idempotency.payload_mismatch"  # 422
    IN_PROGRESS = "idempotency.in_progress"  # 409, with Retry-After


class DdtApiError(Exception):
    """The gateway answered 4xx/5xx; fields come from its problem+json body."""

    def __init__(
        self,
        *,
        status: int,
        title: str,
        type: str = "about:blank",
        detail: str | None = None,
        code: str | None = None,
        request_id: str | None = None,
        errors: list[Any] | None = None,
        body: Any = None,
        response: httpx.Response | None = None,
    ) -> None:
        message = f"{status} {code or title}" + (f": {detail}" if detail else "")
        if request_id:
            message += f" (request id {request_id})"
        super().__init__(message)
        self.status = status
        self.title = title
        self.type = type
        self.detail = detail
        self.code = code
        self.request_id = request_id
        self.errors = errors or []
        self.body = body
        self.response = response

    @classmethod
    def from_response(cls, response: httpx.Response) -> DdtApiError:
        """Build the error from a response whose body has been read."""
        body: Any = None
        try:
            body = response.json()
        except ValueError:
            body = response.text or None
        fields: Mapping[str, Any] = body if isinstance(body, dict) else {}
        request_id = fields.get("request_id") or response.headers.get(REQUEST_ID_HEADER)
        # The OAuth token endpoint answers in RFC 6749 form ({"error": ...}).
        code = fields.get("code") or fields.get("error")
        detail = fields.get("detail") or fields.get("error_description")
        errors = fields.get("errors")
        return cls(
            # The HTTP status is authoritative: a domain answer's body may carry its own
            # "status" field (e.g. a summary's deadline state) that is not an HTTP code.
            status=response.status_code,
            title=str(fields.get("title") or response.reason_phrase or "HTTP error"),
            type=str(fields.get("type") or "about:blank"),
            detail=None if detail is None else str(detail),
            code=None if code is None else str(code),
            request_id=None if request_id is None else str(request_id),
            errors=errors if isinstance(errors, list) else None,
            body=body,
            response=response,
        )


def _encode_body(
    json: Any, xml: str | bytes | None, content: str | bytes | None, content_type: str | None
) -> tuple[bytes, str | None]:
    given = [
        name for name, value in (("json", json), ("xml", xml), ("content", content)) if value is not None
    ]
    if len(given) > 1:
        raise ValueError(f"pass only one of json, xml, content (got {', '.join(given)})")
    if json is not None:
        # Serialise here, once, so the bytes we hash are exactly the bytes sent.
        data = jsonlib.dumps(json, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return data, content_type or "application/json"
    if xml is not None:
        data = xml.encode("utf-8") if isinstance(xml, str) else xml
        return data, content_type or "application/xml; charset=utf-8"
    if content is not None:
        data = content.encode("utf-8") if isinstance(content, str) else content
        return data, content_type
    return b"", content_type


def _retry_after_seconds(value: str | None, now: float) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


class _ClientCore:
    """State and pure decisions shared by the sync and async clients."""

    def __init__(
        self,
        base_url: str,
        key_id: str,
        secret: str,
        *,
        auth: AuthMode = "hmac",
        max_retries: int = 3,
        backoff: float = 0.5,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if auth not in ("hmac", "oauth"):
            raise ValueError("auth must be 'hmac' or 'oauth'")
        self.base_url = base_url.rstrip("/")
        self.key_id = key_id
        self._secret = secret
        self.auth = auth
        self.max_retries = max_retries
        self._backoff = backoff
        self._clock = clock
        self._token: str | None = None
        self._token_expires_at = 0.0

    def __repr__(self) -> str:  # never show the secret
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, key_id={self.key_id!r}, auth={self.auth!r})"
        )

    def _idempotency_key(self, method: str, given: str | None) -> str | None:
        if given is not None:
            return given
        return str(uuid.uuid4()) if method in _METHODS_NEEDING_IDEMPOTENCY_KEY else None

    def _build(
        self,
        http: httpx.Client | httpx.AsyncClient,
        method: str,
        path: str,
        *,
        params: Any,
        body: bytes,
        content_type: str | None,
        headers: Mapping[str, str] | None,
        idempotency_key: str | None,
    ) -> httpx.Request:
        merged: dict[str, str] = dict(headers or {})
        if content_type:
            merged["Content-Type"] = content_type
        if idempotency_key is not None:
            merged[IDEMPOTENCY_KEY_HEADER] = idempotency_key
        request = http.build_request(method, path, params=params, content=body or None, headers=merged)
        if self.auth == "oauth":
            request.headers["Authorization"] = f"Bearer {self._token}"
            return request
        # Sign what will actually go on the wire: httpx has already joined the
        # base URL, percent-encoded the path and serialised the params.
        raw_path, _, raw_query = request.url.raw_path.decode("ascii").partition("?")
        signed = prepare_signature(
            key_id=self.key_id,
            secret=self._secret,
            method=method,
            path=raw_path,
            query=raw_query,
            body=body,
            timestamp=int(self._clock()),
        )
        request.headers.update(signed.headers)
        return request

    def _retry_delay(self, attempt: int, response: httpx.Response | None) -> float | None:
        """Seconds to wait before the next attempt, or None to stop retrying."""
        if attempt >= self.max_retries:
            return None
        if response is not None:
            if response.status_code not in _RETRY_STATUSES:
                return None
            hinted = _retry_after_seconds(response.headers.get("Retry-After"), self._clock())
            if hinted is not None:
                return min(hinted, _MAX_RETRY_AFTER_SECONDS)
        # Jitter spreads out clients that all failed at the same moment.
        return float(self._backoff * 2**attempt * (0.5 + random.random() / 2))

    def _token_valid(self) -> bool:
        return self._token is not None and self._clock() < self._token_expires_at

    def _token_request(self, http: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        # RFC 6749 §2.3.1: servers must accept client credentials in HTTP Basic.
        request = http.build_request(
            "POST",
            TOKEN_PATH,
            data={"grant_type": "client_credentials"},
            headers={"Accept": "application/json"},
        )
        pair = f"{self.key_id}:{self._secret}".encode("ascii")
        request.headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        return request

    def _store_token(self, response: httpx.Response) -> None:
        if response.is_error:
            raise DdtApiError.from_response(response)
        payload = response.json()
        self._token = str(payload["access_token"])
        lifetime = float(payload.get("expires_in", 300))
        margin = min(_TOKEN_EXPIRY_MARGIN_SECONDS, lifetime / 2)
        self._token_expires_at = self._clock() + lifetime - margin


class DdtClient(_ClientCore):
    """Synchronous client. Use as a context manager or call :meth:`close`.

    >>> with DdtClient("https://gw.example", key_id, secret) as ddt:  # doctest: +SKIP
    ...     ddt.post("/v1/customs/import/orders", json=order).json()  # CEB311 as JSON
    """

    def __init__(
        self,
        base_url: str,
        key_id: str,
        secret: str,
        *,
        auth: AuthMode = "hmac",
        timeout: float = 30.0,
        max_retries: int = 3,
        backoff: float = 0.5,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(
            base_url, key_id, secret, auth=auth, max_retries=max_retries, backoff=backoff, clock=clock
        )
        self._sleep = sleep
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport)

    def __enter__(self) -> DdtClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the underlying connection pool."""
        self._http.close()

    def _ensure_token(self, force: bool = False) -> None:
        if self.auth == "oauth" and (force or not self._token_valid()):
            self._store_token(self._http.send(self._token_request(self._http)))

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        json: Any = None,
        xml: str | bytes | None = None,
        content: str | bytes | None = None,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> httpx.Response:
        """Send one API call (with retries) and return the successful response.

        ``path`` is relative to the base URL and may carry a query string.
        Pass at most one of ``json`` (serialised compactly as UTF-8),
        ``xml`` (sent as application/xml) or raw ``content``.
        Raises :class:`DdtApiError` on a 4xx/5xx answer.
        """
        method = method.upper()
        body, ctype = _encode_body(json, xml, content, content_type)
        key = self._idempotency_key(method, idempotency_key)
        attempt = 0
        token_refreshed = False
        while True:
            self._ensure_token()
            request = self._build(
                self._http, method, path, params=params, body=body, content_type=ctype,
                headers=headers, idempotency_key=key,
            )  # fmt: skip
            try:
                response = self._http.send(request)
            except _CONNECT_FAILURES:
                delay = self._retry_delay(attempt, None)
                if delay is None:
                    raise
            else:
                if response.status_code == 401 and self.auth == "oauth" and not token_refreshed:
                    # The gateway may have revoked the token early; get one new token, once.
                    response.close()
                    token_refreshed = True
                    self._ensure_token(force=True)
                    continue
                delay = self._retry_delay(attempt, response)
                if delay is None:
                    if response.is_error:
                        response.read()
                        raise DdtApiError.from_response(response)
                    return response
                response.close()
            self._sleep(delay)
            attempt += 1

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        """GET ``path``; see :meth:`request`."""
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        """POST ``path``; see :meth:`request`."""
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> httpx.Response:
        """PUT ``path``; see :meth:`request`."""
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        """PATCH ``path``; see :meth:`request`."""
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        """DELETE ``path``; see :meth:`request`."""
        return self.request("DELETE", path, **kwargs)


class AsyncDdtClient(_ClientCore):
    """Asynchronous client with the same behaviour as :class:`DdtClient`."""

    def __init__(
        self,
        base_url: str,
        key_id: str,
        secret: str,
        *,
        auth: AuthMode = "hmac",
        timeout: float = 30.0,
        max_retries: int = 3,
        backoff: float = 0.5,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(
            base_url, key_id, secret, auth=auth, max_retries=max_retries, backoff=backoff, clock=clock
        )
        self._sleep = sleep
        self._http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout, transport=transport)
        self._token_lock = asyncio.Lock()

    async def __aenter__(self) -> AsyncDdtClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the underlying connection pool."""
        await self._http.aclose()

    async def _ensure_token(self, force: bool = False) -> None:
        if self.auth != "oauth":
            return
        # One token fetch for many concurrent calls, not one each.
        async with self._token_lock:
            if force or not self._token_valid():
                response = await self._http.send(self._token_request(self._http))
                await response.aread()
                self._store_token(response)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        json: Any = None,
        xml: str | bytes | None = None,
        content: str | bytes | None = None,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> httpx.Response:
        """Send one API call (with retries); same contract as :meth:`DdtClient.request`."""
        method = method.upper()
        body, ctype = _encode_body(json, xml, content, content_type)
        key = self._idempotency_key(method, idempotency_key)
        attempt = 0
        token_refreshed = False
        while True:
            await self._ensure_token()
            request = self._build(
                self._http, method, path, params=params, body=body, content_type=ctype,
                headers=headers, idempotency_key=key,
            )  # fmt: skip
            try:
                response = await self._http.send(request)
            except _CONNECT_FAILURES:
                delay = self._retry_delay(attempt, None)
                if delay is None:
                    raise
            else:
                if response.status_code == 401 and self.auth == "oauth" and not token_refreshed:
                    await response.aclose()
                    token_refreshed = True
                    await self._ensure_token(force=True)
                    continue
                delay = self._retry_delay(attempt, response)
                if delay is None:
                    if response.is_error:
                        await response.aread()
                        raise DdtApiError.from_response(response)
                    return response
                await response.aclose()
            await self._sleep(delay)
            attempt += 1

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        """GET ``path``; see :meth:`request`."""
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> httpx.Response:
        """POST ``path``; see :meth:`request`."""
        return await self.request("POST", path, **kwargs)

    async def put(self, path: str, **kwargs: Any) -> httpx.Response:
        """PUT ``path``; see :meth:`request`."""
        return await self.request("PUT", path, **kwargs)

    async def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        """PATCH ``path``; see :meth:`request`."""
        return await self.request("PATCH", path, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        """DELETE ``path``; see :meth:`request`."""
        return await self.request("DELETE", path, **kwargs)
