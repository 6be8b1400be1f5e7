"""Per-credential token buckets: 429 + Retry-After; one budget across two gateway replicas
sharing Redis; in-process buckets when Redis is not configured or fails."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis

from services.gateway.auth.guard import RedisGuard
from services.gateway.ratelimit.bucket import LocalTokenBucket
from tests.gateway.support import Gateway, gateway_settings, running_gateway
from tests.support.infra import REDIS_URL, Broker, free_port


@asynccontextmanager
async def _two_replicas(
    broker: Broker, tmp_path: Path, redis_prefix: str, **overrides: Any
) -> AsyncIterator[tuple[Gateway, Gateway]]:
    """Two gateway replicas on one database and one Redis; only the first bootstraps the admin."""
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
    common = {"redis_key_prefix": redis_prefix, "platform": {"redis_url": REDIS_URL}, **overrides}
    first = gateway_settings(db_url, broker.bootstrap, tmp_path, **common)
    second = gateway_settings(db_url, broker.bootstrap, tmp_path, **common, bootstrap_on_empty=False)
    async with running_gateway(first) as a, running_gateway(second) as b:
        yield a, b


async def test_bucket_refuses_with_retry_after_when_empty() -> None:
    clock = [100.0]
    bucket = LocalTokenBucket(rate=0.5, capacity=2, clock=lambda: clock[0])
    assert bucket.take("k").allowed and bucket.take("k").allowed
    refused = bucket.take("k")
    assert not refused.allowed
    assert refused.retry_after == 2
    clock[0] += 2
    assert bucket.take("k").allowed


async def test_buckets_are_per_credential() -> None:
    bucket = LocalTokenBucket(rate=0.001, capacity=1)
    assert bucket.take("a").allowed
    assert bucket.take("b").allowed
    assert not bucket.take("a").allowed


async def test_gateway_answers_429_with_retry_after(broker: Broker, tmp_path: Path) -> None:
    settings = gateway_settings(
        f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}",
        broker.bootstrap,
        tmp_path,
        rate_limit_per_second=0.01,
        rate_limit_burst=2,
    )
    async with running_gateway(settings) as gw:
        statuses = [(await gw.call("GET", "/v1/parties/me", gw.admin)) for _ in range(3)]
    assert [r.status_code for r in statuses] == [200, 200, 429]
    assert statuses[2].json()["code"] == "rate.limited"
    assert int(statuses[2].headers["retry-after"]) >= 1


async def test_two_gateway_replicas_sharing_redis_share_one_budget(
    broker: Broker, tmp_path: Path, redis_prefix: str, redis_client: aioredis.Redis
) -> None:
    async with _two_replicas(
        broker, tmp_path, redis_prefix, rate_limit_per_second=0.01, rate_limit_burst=4
    ) as (a, b):
        answers = []
        for gw in (a, b, a, b, a, b):
            answers.append((await gw.call("GET", "/v1/parties/me", a.admin)).status_code)
    assert answers == [200, 200, 200, 200, 429, 429]


async def test_replay_to_another_replica_is_refused_through_the_shared_nonce_store(
    broker: Broker, tmp_path: Path, redis_prefix: str, redis_client: aioredis.Redis
) -> None:
    from sdk.signing import sign_request

    async with _two_replicas(broker, tmp_path, redis_prefix) as (a, b):
        headers = sign_request(
            key_id=a.admin.key_id, secret=a.admin.secret, method="GET", path="/v1/parties/me"
        )
        assert (await a.client.get("/v1/parties/me", headers=headers)).status_code == 200
        replayed = await b.client.get("/v1/parties/me", headers=headers)
    assert replayed.json()["code"] == "auth.replayed_nonce"


async def test_redis_outage_limits_bearer_requests_with_per_replica_buckets() -> None:
    dead = aioredis.Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=0.2)
    limiter = RedisGuard(dead, "x:", 0.01, 1)
    try:
        assert (await limiter.check("cred", None)).decision.allowed
        assert not (await limiter.check("cred", None)).decision.allowed
        assert limiter.redis_failures == 2
    finally:
        await dead.aclose()


@pytest.mark.parametrize("path", ["/v1/parties/me"])
async def test_nonce_store_outage_refuses_signed_requests_with_503(
    broker: Broker, tmp_path: Path, path: str
) -> None:
    settings = gateway_settings(
        f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}",
        broker.bootstrap,
        tmp_path,
        platform={"redis_url": f"redis://127.0.0.1:{free_port()}/0"},
    )
    async with running_gateway(settings) as gw:
        response = await gw.call("GET", path, gw.admin)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"


async def test_suspension_and_revocation_through_one_replica_act_on_the_next_request_to_another(
    broker: Broker, tmp_path: Path, redis_prefix: str, redis_client: aioredis.Redis
) -> None:
    async with _two_replicas(broker, tmp_path, redis_prefix) as (a, b):
        ent = await a.enterprise()
        for _ in range(3):  # B now serves ent from its in-process cache
            assert (await b.call("GET", "/v1/parties/me", ent)).status_code == 200
        await a.call("POST", f"/v1/parties/{ent.party_id}/suspend", a.admin, json_body={})
        assert (await b.call("GET", "/v1/parties/me", ent)).json()["code"] == "auth.suspended_party"
        await a.call("POST", f"/v1/parties/{ent.party_id}/reactivate", a.admin, json_body={})
        assert (await b.call("GET", "/v1/parties/me", ent)).status_code == 200
        await a.call("DELETE", f"/v1/credentials/{ent.key_id}", ent)
        assert (await b.call("GET", "/v1/parties/me", ent)).json()["code"] == "auth.key_revoked"
