"""The gateway's long-lived parts, built once per process from its settings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

import redis.asyncio as aioredis
from fastapi import Depends

from services.gateway.audit.writer import AuditWriter
from services.gateway.auth.authenticator import Authenticator
from services.gateway.auth.guard import LocalGuard, RedisGuard
from services.gateway.auth.nonces import DatabaseNonceStore
from services.gateway.credentials.sealing import SecretSealer
from services.gateway.idempotency.service import IdempotencyStore
from services.gateway.oauth.tokens import TokenAuthority
from services.gateway.settings import GatewaySettings
from shared.db import Database
from shared.kit.context import component


@dataclass
class GatewayComponents:
    """Everything the pipeline and the routes share."""

    settings: GatewaySettings
    sealer: SecretSealer
    tokens: TokenAuthority
    nonces: DatabaseNonceStore
    authenticator: Authenticator
    idempotency: IdempotencyStore
    audit: AuditWriter
    redis: aioredis.Redis | None

    async def close(self) -> None:
        """Release the Redis connection pool."""
        if self.redis is not None:
            await self.redis.aclose()


#: The running gateway's components, for routes.
GatewayDep = Annotated[GatewayComponents, Depends(component(GatewayComponents))]


def build_components(settings: GatewaySettings, db: Database) -> GatewayComponents:
    """Wire the components; Redis is used when the platform setting ``redis_url`` is set."""
    redis_client = (
        aioredis.Redis.from_url(settings.platform.redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)
        if settings.platform.redis_url
        else None
    )
    sealer = SecretSealer(settings.credential_encryption_key.get_secret_value())
    tokens = TokenAuthority(
        settings.oauth_signing_key.get_secret_value(),
        issuer=settings.oauth_issuer,
        audience=settings.oauth_audience,
        ttl_seconds=settings.oauth_token_ttl_seconds,
    )
    nonces = DatabaseNonceStore(db)
    guard: RedisGuard | LocalGuard = (
        RedisGuard(
            redis_client, settings.redis_key_prefix, settings.rate_limit_per_second, settings.rate_limit_burst
        )
        if redis_client is not None
        else LocalGuard(nonces, settings.rate_limit_per_second, settings.rate_limit_burst)
    )
    return GatewayComponents(
        settings=settings,
        sealer=sealer,
        tokens=tokens,
        nonces=nonces,
        authenticator=Authenticator(db, sealer, guard, tokens),
        idempotency=IdempotencyStore(
            db,
            ttl=dt.timedelta(hours=settings.idempotency_ttl_hours),
            lock=dt.timedelta(seconds=settings.idempotency_lock_seconds),
        ),
        audit=AuditWriter(db, settings.audit_flush_seconds),
        redis=redis_client,
    )
