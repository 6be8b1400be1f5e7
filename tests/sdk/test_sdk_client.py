"""DdtClient / AsyncDdtClient against an httpx MockTransport standing in for the gateway."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import httpx
import pytest

from sdk.client import AsyncDdtClient, DdtApiError, DdtClient, IdempotencyProblemCode
from sdk.signing import HEADER_NONCE, HEADER_SIGNATURE, SignatureError, verify_request

KEY_ID = "ddtk_lygexamplekeyid234567abc"
SECRET = "ddts_-5_92uWloYrzhP2TqHhDYWv4SooFOdXtQ0FV7kzLEyM"
BASE = "https://gw.example/api"
PROBLEM = "application/problem+json"


class FakeGateway:
    """Verifies every request with the gateway's own check, then answers from a script."""

    def __init__(self, *responses: httpx.Response | Callable[[httpx.Request], httpx.Response]) -> None:
        self.script = list(responses)
        self.requests: list[httpx.Request] = []
        self.seen_nonces: set[str] = set()
        self.now: float | None = None  # None: the real clock

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path.endswith("/oauth/token"):
            return self._next(request)
        if "authorization" not in request.headers:
            path, _, query = request.url.raw_path.decode().partition("?")
            try:
                verify_request(
                    headers=dict(request.headers), method=request.method, path=path, query=query,
                    body=request.content, secret=SECRET, now=self.now,
                )  # fmt: skip
            except SignatureError as exc:
                return _problem(401, exc.code.value, exc.detail)
            nonce = request.headers[HEADER_NONCE]
            if nonce in self.seen_nonces:
                return _problem(401, "auth.replayed_nonce", "nonce reused")
            self.seen_nonces.add(nonce)
        return self._next(request)

    def _next(self, request: httpx.Request) -> httpx.Response:
        answer = self.script.pop(0) if self.script else httpx.Response(200, json={"ok": True})
        return answer(request) if callable(answer) else answer


def _problem(status: int, code: str, detail: str, **headers: str) -> httpx.Response:
    body = {"type": f"https://ddt.example/problems/{code}", "title": "Refused", "status": status,
            "detail": detail, "code": code, "request_id": "req-123"}  # fmt: skip
    return httpx.Response(status, json=body, headers={"Content-Type": PROBLEM, **headers})


def _client(gateway: FakeGateway, **kwargs) -> tuple[DdtClient, list[float]]:
    sleeps: list[float] = []
    client = DdtClient(
        BASE, KEY_ID, SECRET, transport=httpx.MockTransport(gateway), sleep=sleeps.append, **kwargs
    )
    return client, sleeps


def test_signs_requests_the_gateway_accepts() -> None:
    gateway = FakeGateway()
    client, _ = _client(gateway)
    with client:
        response = client.get("/v1/parties/连云港", params={"b": "2", "a": ["x y", "ü"]})
    assert response.json() == {"ok": True}
    sent = gateway.requests[0]
    assert sent.url.raw_path.startswith(b"/api/v1/parties/%E8%BF%9E")
    assert len(sent.headers[HEADER_SIGNATURE]) == 64
    assert "idempotency-key" not in sent.headers


def test_post_gets_an_idempotency_key_and_compact_json() -> None:
    gateway = FakeGateway()
    client, _ = _client(gateway)
    with client:
        client.post("/v1/customs/import/orders", json={"orderNo": "LYG1", "name": "水晶"})
    sent = gateway.requests[0]
    assert len(sent.headers["Idempotency-Key"]) == 36
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.content == '{"orderNo":"LYG1","name":"水晶"}'.encode()


def test_explicit_idempotency_key_is_kept() -> None:
    gateway = FakeGateway()
    client, _ = _client(gateway)
    with client:
        client.put("/v1/x", json={}, idempotency_key="my-key-1")
        client.delete("/v1/x")
    assert gateway.requests[0].headers["Idempotency-Key"] == "my-key-1"
    assert "idempotency-key" not in gateway.requests[1].headers


def test_xml_body() -> None:
    gateway = FakeGateway()
    client, _ = _client(gateway)
    xml = '<?xml version="1.0" encoding="UTF-8"?><ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb"/>'
    with client:
        client.post("/v1/customs/messages", xml=xml)
    sent = gateway.requests[0]
    assert sent.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert sent.content == xml.encode()


def test_retries_503_and_429_with_the_same_idempotency_key_and_fresh_nonces() -> None:
    gateway = FakeGateway(
        _problem(503, "upstream.unavailable", "try later", **{"Retry-After": "2"}),
        _problem(429, "rate_limited", "slow down", **{"Retry-After": "1"}),
        httpx.Response(201, json={"id": "ord-1"}),
    )
    client, sleeps = _client(gateway)
    with client:
        response = client.post("/v1/customs/import/orders", json={"orderNo": "LYG1"})
    assert response.status_code == 201
    keys = {r.headers["Idempotency-Key"] for r in gateway.requests}
    nonces = {r.headers[HEADER_NONCE] for r in gateway.requests}
    assert len(gateway.requests) == 3 and len(keys) == 1 and len(nonces) == 3
    assert sleeps == [2.0, 1.0]


def test_retry_after_as_http_date_and_capped() -> None:
    gateway = FakeGateway(
        _problem(503, "x", "x", **{"Retry-After": "Mon, 10 Jun 2024 06:13:50 GMT"}),
        _problem(503, "x", "x", **{"Retry-After": "3600"}),
    )
    gateway.now = 1_718_000_000.0
    client, sleeps = _client(gateway, clock=lambda: 1_718_000_000.0)
    with client:
        client.get("/v1/x")
    assert sleeps == [30.0, 60.0]


def test_connect_errors_are_retried_with_the_same_key() -> None:
    failures = iter([True, True, False])

    def flaky(request: httpx.Request) -> httpx.Response:
        if next(failures):
            raise httpx.ConnectError("connection refused", request=request)
        return gateway(request)

    gateway = FakeGateway()
    sleeps: list[float] = []
    seen: list[httpx.Request] = []

    def recording(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return flaky(request)

    client = DdtClient(BASE, KEY_ID, SECRET, transport=httpx.MockTransport(recording), sleep=sleeps.append)
    with client:
        assert client.post("/v1/x", json={}).status_code == 200
    assert len(seen) == 3 and len({r.headers["Idempotency-Key"] for r in seen}) == 1
    assert len(sleeps) == 2 and all(s > 0 for s in sleeps)


def test_gives_up_after_max_retries_and_raises_the_last_problem() -> None:
    gateway = FakeGateway(*[_problem(503, "upstream.unavailable", "down", **{"Retry-After": "0"})] * 5)
    client, sleeps = _client(gateway, max_retries=2)
    with client, pytest.raises(DdtApiError) as caught:
        client.post("/v1/x", json={})
    assert len(gateway.requests) == 3 and sleeps == [0.0, 0.0]
    assert caught.value.status == 503 and caught.value.code == "upstream.unavailable"


def test_connect_error_after_max_retries_propagates() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client = DdtClient(
        BASE, KEY_ID, SECRET, transport=httpx.MockTransport(down), sleep=lambda s: None, max_retries=1
    )
    with client, pytest.raises(httpx.ConnectError):
        client.get("/v1/x")


@pytest.mark.parametrize("status", [400, 401, 409, 422, 500, 502])
def test_other_errors_are_not_retried_and_carry_problem_fields(status) -> None:
    gateway = FakeGateway(_problem(status, "some.code", "what went wrong"))
    client, sleeps = _client(gateway)
    with client, pytest.raises(DdtApiError) as caught:
        client.post("/v1/x", json={})
    error = caught.value
    assert len(gateway.requests) == 1 and sleeps == []
    assert (error.status, error.code, error.detail, error.request_id) == (
        status,
        "some.code",
        "what went wrong",
        "req-123",
    )
    assert error.type == "https://ddt.example/problems/some.code" and error.title == "Refused"


def test_validation_errors_list_and_request_id_header() -> None:
    body = {"title": "Invalid", "status": 422, "code": "validation.failed",
            "errors": [{"pointer": "/orderNo", "detail": "required"}]}  # fmt: skip
    gateway = FakeGateway(
        httpx.Response(422, json=body, headers={"X-Request-Id": "hdr-9", "Content-Type": PROBLEM})
    )
    client, _ = _client(gateway)
    with client, pytest.raises(DdtApiError) as caught:
        client.post("/v1/x", json={})
    assert caught.value.errors == [{"pointer": "/orderNo", "detail": "required"}]
    assert caught.value.request_id == "hdr-9"


def test_an_error_status_is_the_http_status_even_when_the_body_has_its_own_status_field() -> None:
    body = {"month": "2026-11", "status": "done", "filed": [{"accepted": False}]}
    gateway = FakeGateway(httpx.Response(422, json=body))
    client, _ = _client(gateway)
    with client, pytest.raises(DdtApiError) as caught:
        client.post("/v1/x", json={})
    assert (caught.value.status, caught.value.body) == (422, body)


def test_non_json_error_body() -> None:
    gateway = FakeGateway(httpx.Response(502, text="<html>bad gateway</html>"))
    client, _ = _client(gateway)
    with client, pytest.raises(DdtApiError) as caught:
        client.get("/v1/x")
    assert caught.value.status == 502 and caught.value.code is None and caught.value.title == "Bad Gateway"


def test_the_gateway_check_really_rejects_a_tampered_request() -> None:
    # Guards the fake: a request altered after signing must fail verification.
    def tamper(request: httpx.Request) -> httpx.Response:
        forged = httpx.Request(request.method, request.url.copy_add_param("extra", "1"),
                               headers=request.headers, content=request.content)  # fmt: skip
        return gateway(forged)

    gateway = FakeGateway()
    client = DdtClient(BASE, KEY_ID, SECRET, transport=httpx.MockTransport(tamper), sleep=lambda s: None)
    with client, pytest.raises(DdtApiError) as caught:
        client.get("/v1/x")
    assert caught.value.code == "auth.bad_signature"


def test_secret_not_in_repr() -> None:
    client = DdtClient(BASE, KEY_ID, SECRET)
    with client:
        assert SECRET not in repr(client)


def test_only_one_body_kind() -> None:
    client = DdtClient(BASE, KEY_ID, SECRET)
    with client, pytest.raises(ValueError):
        client.post("/v1/x", json={}, xml="<a/>")


# --- OAuth2 client-credentials mode -------------------------------------------------------


def _token(expires_in: int = 900, token: str = "tok-1") -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        expected = "Basic " + base64.b64encode(f"{KEY_ID}:{SECRET}".encode()).decode()
        assert request.headers["Authorization"] == expected
        assert request.content == b"grant_type=client_credentials"
        return httpx.Response(
            200, json={"access_token": token, "token_type": "Bearer", "expires_in": expires_in}
        )

    return answer


def test_oauth_token_is_fetched_once_and_cached_until_near_expiry() -> None:
    now = [1000.0]
    gateway = FakeGateway(
        _token(900, "tok-1"), httpx.Response(200), httpx.Response(200), _token(900, "tok-2")
    )
    client, _ = _client(gateway, auth="oauth", clock=lambda: now[0])
    with client:
        client.get("/v1/a")
        now[0] += 860  # still 40 s left: > the 30 s margin
        client.get("/v1/b")
        now[0] += 20  # 20 s left: refresh
        client.get("/v1/c")
    paths = [r.url.path for r in gateway.requests]
    assert paths == ["/api/oauth/token", "/api/v1/a", "/api/v1/b", "/api/oauth/token", "/api/v1/c"]
    assert gateway.requests[1].headers["Authorization"] == "Bearer tok-1"
    assert gateway.requests[4].headers["Authorization"] == "Bearer tok-2"
    assert HEADER_SIGNATURE.lower() not in gateway.requests[1].headers


def test_oauth_401_refreshes_the_token_once() -> None:
    gateway = FakeGateway(
        _token(900, "tok-1"),
        _problem(401, "auth.invalid_token", "revoked"),
        _token(900, "tok-2"),
        httpx.Response(200, json={"ok": 1}),
    )
    client, _ = _client(gateway, auth="oauth")
    with client:
        assert client.post("/v1/x", json={}).json() == {"ok": 1}
    assert gateway.requests[3].headers["Authorization"] == "Bearer tok-2"
    assert gateway.requests[1].headers["Idempotency-Key"] == gateway.requests[3].headers["Idempotency-Key"]


def test_oauth_token_endpoint_error_is_typed() -> None:
    gateway = FakeGateway(
        httpx.Response(401, json={"error": "invalid_client", "error_description": "bad secret"})
    )
    client, _ = _client(gateway, auth="oauth")
    with client, pytest.raises(DdtApiError) as caught:
        client.get("/v1/x")
    assert caught.value.code == "invalid_client" and caught.value.detail == "bad secret"


# --- async client ------------------------------------------------------------------------


def _async_client(gateway: FakeGateway, **kwargs) -> tuple[AsyncDdtClient, list[float]]:
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    client = AsyncDdtClient(
        BASE, KEY_ID, SECRET, transport=httpx.MockTransport(gateway), sleep=sleep, **kwargs
    )
    return client, sleeps


async def test_async_signs_and_retries_with_the_same_key() -> None:
    gateway = FakeGateway(
        _problem(503, "x", "x", **{"Retry-After": "1"}), httpx.Response(201, json={"id": 1})
    )
    client, sleeps = _async_client(gateway)
    async with client:
        response = await client.post("/v1/customs/import/orders", json={"orderNo": "LYG1"})
    assert response.status_code == 201 and sleeps == [1.0]
    assert len({r.headers["Idempotency-Key"] for r in gateway.requests}) == 1
    assert len({r.headers[HEADER_NONCE] for r in gateway.requests}) == 2


async def test_async_raises_problem() -> None:
    gateway = FakeGateway(_problem(409, "idempotency.in_progress", "busy"))
    client, _ = _async_client(gateway)
    async with client:
        with pytest.raises(DdtApiError) as caught:
            await client.patch("/v1/x", json={"a": 1})
    assert caught.value.status == 409 and caught.value.code == "idempotency.in_progress"


async def test_async_oauth_and_xml() -> None:
    gateway = FakeGateway(_token(), httpx.Response(200, json={"ok": True}))
    client, _ = _async_client(gateway, auth="oauth")
    async with client:
        response = await client.post("/v1/ceb", xml=b"<a/>")
    assert json.loads(response.content) == {"ok": True}
    assert gateway.requests[1].headers["Authorization"] == "Bearer tok-1"
    assert gateway.requests[1].headers["Content-Type"].startswith("application/xml")


def test_idempotency_problem_codes_are_documented(signing_doc) -> None:
    for code in IdempotencyProblemCode:
        assert f"`{code.value}`" in signing_doc.text, code


def test_get_sends_no_body_headers() -> None:
    gateway = FakeGateway()
    client, _ = _client(gateway)
    with client:
        client.get("/v1/x")
    assert "content-length" not in gateway.requests[0].headers
    assert "content-type" not in gateway.requests[0].headers
