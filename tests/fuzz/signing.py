"""Signing every request the fuzzer sends, as the SDK would, from the exact bytes on the wire.

Schemathesis builds a ``requests`` request per generated case; :class:`SigningAdapter`
signs the *prepared* request (its final path, query and body) just before it leaves,
so percent-encoding, repeated parameters and non-ASCII are signed as sent — what the
gateway checks, and what the identity token it mints for the service is bound to.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from sdk.signing import prepare_signature
from tests.gateway.support import PartyKey

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH"})


class SigningAdapter(HTTPAdapter):
    """Signs each request with the next credential in turn (enterprise, regulator, admin …)."""

    def __init__(self, credentials: Sequence[tuple[str, PartyKey]]) -> None:
        super().__init__(pool_connections=4, pool_maxsize=4)
        self.credentials = list(credentials)
        self.sent: Counter[str] = Counter()
        self._turn = 0
        self._lock = threading.Lock()

    def _next(self) -> tuple[str, PartyKey]:
        with self._lock:
            name, key = self.credentials[self._turn % len(self.credentials)]
            self._turn += 1
            self.sent[name] += 1
        return name, key

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        """Sign ``request`` as sent (and give writes a fresh Idempotency-Key if it has none)."""
        name, key = self._next()
        url = urlsplit(request.url or "")
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
            request.body = body
        assert isinstance(body, bytes), "streamed bodies are not generated for this API"
        method = (request.method or "GET").upper()
        if method in WRITE_METHODS and "Idempotency-Key" not in request.headers:
            request.headers["Idempotency-Key"] = str(uuid.uuid4())
        signed = prepare_signature(
            key_id=key.key_id, secret=key.secret, method=method, path=url.path, query=url.query, body=body
        )
        request.headers.update(signed.headers)
        request.headers["X-Fuzz-Party"] = name  # the report says who sent a failing case
        return super().send(request, *args, **kwargs)


def signing_session(credentials: Sequence[tuple[str, PartyKey]]) -> tuple[requests.Session, SigningAdapter]:
    """A session whose every request is signed by :class:`SigningAdapter`."""
    session = requests.Session()
    adapter = SigningAdapter(credentials)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session, adapter
