"""A stream of real filings through the public door, sent as a careful ERP integrator would.

Each filing is one CEB311 import order (JSON), signed (DDT1-HMAC-SHA256, a fresh nonce per
attempt) with its own Idempotency-Key, kept across retries. The client retries what the
platform documents as retryable — 503 (``lb.unavailable``, ``upstream.unavailable``,
``upstream.circuit_open``), 502/504 from the load balancer (``lb.no_answer``,
``lb.timeout``: the outcome is unknown), 409 ``idempotency.in_progress`` (a replica died
holding the key; it is free after the lock time), a refused connection — and nothing else.

A filing counts as **accepted** when an answer says so, or when, after an attempt with an
unknown outcome, the platform answers that the order already exists (customs code
-301010): the unknown attempt was applied. Every attempt's status is recorded, so a test
can say which answers it saw.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from sdk.signing import prepare_signature
from services.gateway.parties.uscc import generate_uscc

RETRY_STATUSES = frozenset({502, 503, 504})
IN_PROGRESS = "idempotency.in_progress"
DUPLICATE_ORDER = "-301010"


@dataclass(frozen=True)
class Credential:
    """A party's key, as the integrator keeps it."""

    party_id: str
    key_id: str
    secret: str

    @classmethod
    def of(cls, written: Mapping[str, str]) -> Credential:
        """From what a bootstrap wrote (``party_id``, ``key_id``, ``secret``)."""
        return cls(written["party_id"], written["key_id"], written["secret"])


class SignedClient:
    """Signed calls to the gateway (keep-alive, no retries of its own)."""

    def __init__(self, base_url: str, *, timeout: float = 30.0, verify: bool = True) -> None:
        self.http = httpx.AsyncClient(
            base_url=base_url,
            timeout=timeout,
            verify=verify,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=64),
        )

    async def aclose(self) -> None:
        """Close the connections."""
        await self.http.aclose()

    async def call(
        self,
        method: str,
        path: str,
        who: Credential,
        *,
        body: Any = None,
        idempotency_key: str | None = None,
    ) -> httpx.Response:
        """One signed request."""
        content = (
            json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode() if body is not None else b""
        )
        headers = {"Content-Type": "application/json"} if content else {}
        if method in ("POST", "PUT", "PATCH"):
            headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
        request = self.http.build_request(method, path, content=content or None, headers=headers)
        raw_path, _, raw_query = request.url.raw_path.decode("ascii").partition("?")
        signed = prepare_signature(
            key_id=who.key_id, secret=who.secret, method=method, path=raw_path, query=raw_query, body=content
        )
        request.headers.update(signed.headers)
        return await self.http.send(request)

    async def onboard(self, admin: Credential, body: dict[str, Any]) -> Credential:
        """Register a party as the platform admin and give it a credential."""
        created = await self.call("POST", "/v1/parties", admin, body=body)
        assert created.status_code == 201, created.text
        party_id = created.json()["id"]
        key = await self.call("POST", f"/v1/parties/{party_id}/credentials", admin, body={"label": "stream"})
        assert key.status_code == 201, key.text
        return Credential(party_id, key.json()["key_id"], key.json()["secret"])

    async def onboard_filer(self, admin: Credential, name: str) -> tuple[Credential, str]:
        """A party that files orders as platform and merchant, with a fresh customs code."""
        code = "32079" + "6" + uuid.uuid4().hex[:4].upper().replace("0", "A")
        party = await self.onboard(
            admin,
            {
                "name": name,
                "uscc": generate_uscc("320706", uuid.uuid4().hex),
                "roles": ["ecommerce_platform", "ecommerce_enterprise"],
                "codes": [{"code": code, "kinds": ["ebpCode", "ebcCode", "copCode"]}],
            },
        )
        return party, code


def order(code: str, order_no: str) -> dict[str, Any]:
    """One CEB311 import order of 250.00 CNY, the party being platform and merchant."""
    return {
        "head": {
            "guid": str(uuid.uuid4()).upper(),
            "appType": "1",
            "appTime": "20261125103000",
            "appStatus": "2",
            "orderType": "I",
            "orderNo": order_no,
            "ebpCode": code,
            "ebpName": "Stream",
            "ebcCode": code,
            "ebcName": "Stream",
            "goodsValue": "250.00",
            "freight": "0",
            "discount": "0",
            "taxTotal": "0",
            "acturalPaid": "250.00",
            "currency": "142",
            "buyerRegNo": "U1",
            "buyerName": "王小明",
            "buyerTelephone": "13812345678",
            "buyerIdType": "1",
            "buyerIdNumber": "320703199001011234",
            "consignee": "王小明",
            "consigneeTelephone": "13812345678",
            "consigneeAddress": "江苏省连云港市海州区",
        },
        "lines": [
            {
                "gnum": 1,
                "itemNo": "SKU-1",
                "itemName": "保温杯",
                "gmodel": "500ml",
                "unit": "007",
                "qty": "1",
                "price": "250.00",
                "totalPrice": "250.00",
                "currency": "142",
                "country": "502",
            }
        ],
        "baseTransfer": {"copCode": code, "copName": "Stream", "dxpMode": "DXP", "dxpId": "DXPENT0000000001"},
    }


def problem_code(response: httpx.Response) -> str | None:
    """The ``code`` of a problem+json answer."""
    if "json" not in response.headers.get("content-type", ""):
        return None
    try:
        code = response.json().get("code")
    except ValueError:
        return None
    return code if isinstance(code, str) else None


@dataclass
class StreamResult:
    """What the stream saw."""

    accepted: set[str] = field(default_factory=set)
    accepted_on_retry: set[str] = field(default_factory=set)
    failed: list[tuple[str, int | str, str]] = field(default_factory=list)
    attempts: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)

    @property
    def all_accepted(self) -> set[str]:
        """Every order the platform holds, by the client's account."""
        return self.accepted | self.accepted_on_retry

    def statuses_beyond(self, allowed: set[str]) -> dict[str, int]:
        """Attempt outcomes other than ``allowed`` (``"200"``, ``"503"``, ``"conn"`` …)."""
        return {k: v for k, v in self.attempts.items() if k not in allowed}


class FilingStream:
    """Files orders with ``concurrency`` workers until stopped (or ``limit`` filings)."""

    def __init__(
        self,
        client: SignedClient,
        party: Credential,
        code: str,
        *,
        concurrency: int = 4,
        prefix: str | None = None,
        give_up_after: float = 90.0,
    ) -> None:
        self.client = client
        self.party = party
        self.code = code
        self.concurrency = concurrency
        self.prefix = prefix or f"S{uuid.uuid4().hex[:8].upper()}"
        self.give_up_after = give_up_after
        self.result = StreamResult()
        self._next = 0

    async def file_one(self, order_no: str) -> None:
        """One filing, retried as documented until it is settled."""
        key = str(uuid.uuid4())
        body = order(self.code, order_no)
        uncertain = False
        started = time.monotonic()
        while True:
            try:
                response = await self.client.call(
                    "POST", "/v1/customs/import/orders", self.party, body=body, idempotency_key=key
                )
            except (httpx.ConnectError, httpx.ConnectTimeout):
                self.result.attempts["conn"] += 1
                response = None
            except httpx.TransportError:  # sent, but no answer: it may have been applied
                self.result.attempts["no_answer"] += 1
                uncertain, response = True, None
            if response is not None:
                status, code = response.status_code, problem_code(response)
                self.result.attempts[str(status)] += 1
                if status == 200 and response.json().get("accepted") is True:
                    self.result.accepted.add(order_no)
                    self.result.latencies.append(time.monotonic() - started)
                    return
                if status == 422 and uncertain and self._is_duplicate(response):
                    self.result.accepted_on_retry.add(order_no)
                    return
                if status in (502, 504):
                    uncertain = True
                elif not (status == 503 or (status == 409 and code == IN_PROGRESS)):
                    self.result.failed.append((order_no, status, response.text[:500]))
                    return
            if time.monotonic() - started > self.give_up_after:
                self.result.failed.append((order_no, "gave_up", ""))
                return
            await asyncio.sleep(0.3 if response is None or response.status_code != 409 else 1.0)

    @staticmethod
    def _is_duplicate(response: httpx.Response) -> bool:
        try:
            errors = response.json().get("errors") or []
        except ValueError:
            return False
        return any(isinstance(e, dict) and e.get("code") == DUPLICATE_ORDER for e in errors)

    async def run(self, stop: asyncio.Event, limit: int | None = None) -> StreamResult:
        """File until ``stop`` is set (filings under way are finished) or ``limit`` is reached."""

        async def worker() -> None:
            while not stop.is_set() and (limit is None or self._next < limit):
                self._next += 1
                await self.file_one(f"{self.prefix}-{self._next:06d}")

        await asyncio.gather(*(worker() for _ in range(self.concurrency)))
        return self.result
