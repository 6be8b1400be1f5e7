"""Helpers for the gateway tests: a running gateway, parties with credentials, signed calls."""

from __future__ import annotations

import importlib
import json
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from sdk.signing import prepare_signature
from services.gateway.app import create_app
from services.gateway.bootstrap import FIRST_RUN_FILE
from services.gateway.components import GatewayComponents
from services.gateway.parties.uscc import generate_uscc
from services.gateway.routing.table import UPSTREAM_SERVICES
from services.gateway.settings import GatewaySettings
from tests.support.infra import free_port
from tests.support.services import on_one_loop, running_app, served, service_settings


@dataclass
class PartyKey:
    """A party and one of its credentials, as a test uses them."""

    party_id: str
    key_id: str
    secret: str
    roles: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)


def unique_uscc() -> str:
    """A valid USCC no other test uses."""
    return generate_uscc("320706", uuid.uuid4().hex)


def customs_code() -> str:
    """A well-formed customs code no other test uses (3207 + zone 9 + type 6 + 4 random)."""
    return "32079" + "6" + uuid.uuid4().hex[:4].upper().replace("0", "A")


def gateway_settings(database_url: str, bootstrap: str, var_dir: Path, **overrides: Any) -> GatewaySettings:
    """Gateway settings for a test: bootstrap on, generous rate limits, upstreams nowhere."""
    platform = overrides.pop("platform", {})
    dead = f"http://127.0.0.1:{free_port()}"
    values: dict[str, Any] = {
        "bootstrap_on_empty": True,
        "rate_limit_per_second": 1000.0,
        "rate_limit_burst": 1000,
        "declaration_url": dead,
        "logistics_url": dead,
        "payments_url": dead,
        "stats_url": dead,
        "audit_flush_seconds": 0.05,
        "webhook_poll_seconds": 0.1,
        # Gateways of different tests have different databases: they must not share a consumer group.
        "webhook_consumer_group": f"gateway-webhooks-{uuid.uuid4().hex[:8]}",
        "platform": {"var_dir": var_dir, **platform},
    }
    values.update(overrides)
    return service_settings(GatewaySettings, database_url, bootstrap, **values)


class Gateway:
    """A gateway app running in-process, its admin, and helpers to call it."""

    def __init__(
        self, app: FastAPI, client: httpx.AsyncClient, admin: PartyKey, settings: GatewaySettings
    ) -> None:
        self.app = app
        self.client = client
        self.admin = admin
        self.settings = settings

    @property
    def runtime(self) -> Any:
        """The gateway runtime (db, components)."""
        return self.app.state.runtime

    async def call(
        self,
        method: str,
        path: str,
        who: PartyKey | None,
        *,
        json_body: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = "auto",
        timestamp: int | None = None,
        nonce: str | None = None,
    ) -> httpx.Response:
        """Send one request signed as ``who`` (unsigned when None)."""
        body = (
            content
            if content is not None
            else (json.dumps(json_body, separators=(",", ":")).encode() if json_body is not None else b"")
        )
        merged: dict[str, str] = {}
        if body:
            merged["Content-Type"] = "application/json"
        if method in ("POST", "PUT", "PATCH") and idempotency_key is not None:
            merged["Idempotency-Key"] = str(uuid.uuid4()) if idempotency_key == "auto" else idempotency_key
        merged.update(headers or {})
        request = self.client.build_request(method, path, content=body or None, headers=merged)
        if who is not None:
            raw_path, _, raw_query = request.url.raw_path.decode("ascii").partition("?")
            signed = prepare_signature(
                key_id=who.key_id,
                secret=who.secret,
                method=method,
                path=raw_path,
                query=raw_query,
                body=body,
                timestamp=timestamp,
                nonce=nonce,
            )
            request.headers.update(signed.headers)
        return await self.client.send(request)

    async def onboard(
        self,
        *roles: str,
        codes: list[tuple[str, list[str]]] | None = None,
        name: str = "Test party",
        customs: str | None = None,
    ) -> PartyKey:
        """Register a party through the admin API and give it a credential."""
        body: dict[str, Any] = {
            "name": name,
            "uscc": unique_uscc(),
            "roles": list(roles),
            "codes": [{"code": c, "kinds": k} for c, k in (codes or [])],
        }
        if customs:
            body["customs_code"] = customs
        created = await self.call("POST", "/v1/parties", self.admin, json_body=body)
        assert created.status_code == 201, created.text
        party_id = created.json()["id"]
        key = await self.call(
            "POST", f"/v1/parties/{party_id}/credentials", self.admin, json_body={"label": "t"}
        )
        assert key.status_code == 201, key.text
        return PartyKey(
            party_id, key.json()["key_id"], key.json()["secret"], list(roles), [c for c, _ in (codes or [])]
        )

    async def enterprise(self) -> PartyKey:
        """An e-commerce enterprise with one ebcCode."""
        code = customs_code()
        return await self.onboard("ecommerce_enterprise", codes=[(code, ["ebcCode", "agentCode"])])

    async def flush_audit(self) -> None:
        """Write queued audit rows now."""
        await self.runtime.components.get(GatewayComponents).audit.flush()


def read_first_run(var_dir: Path) -> dict[str, Any]:
    """The credentials file the bootstrap wrote."""
    return json.loads((var_dir / FIRST_RUN_FILE).read_text())


@asynccontextmanager
async def running_gateway(settings: GatewaySettings) -> AsyncIterator[Gateway]:
    """Start a gateway (lifespan included) and yield it with its bootstrap admin."""
    app = create_app(settings)
    async with running_app(app) as client:
        first = read_first_run(Path(settings.platform.var_dir))
        admin = PartyKey(
            first["platform_admin"]["party_id"],
            first["platform_admin"]["key_id"],
            first["platform_admin"]["secret"],
            ["platform_admin"],
        )
        yield Gateway(app, client, admin, settings)


@asynccontextmanager
async def running_platform(
    bootstrap: str,
    var_dir: Path,
    services: Sequence[str] = UPSTREAM_SERVICES,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> AsyncIterator[Gateway]:
    """A gateway in front of real services, each served over loopback HTTP on SQLite in ``var_dir``.

    ``overrides`` maps a service name (or ``"gateway"``) to settings it runs with.
    """
    overrides = overrides or {}
    async with AsyncExitStack() as stack:
        urls: dict[str, str] = {}
        for name in services:
            # Imported on use: every gateway test imports this module, few need the services.
            create = importlib.import_module(f"services.{name}.app").create_app
            settings_cls = getattr(
                importlib.import_module(f"services.{name}.settings"), f"{name.title()}Settings"
            )
            settings = service_settings(
                settings_cls,
                f"sqlite+aiosqlite:///{var_dir / f'{name}.db'}",
                bootstrap,
                **on_one_loop(overrides.get(name)),
            )
            urls[f"{name}_url"] = await stack.enter_async_context(served(create(settings)))
        settings = gateway_settings(
            f"sqlite+aiosqlite:///{var_dir / 'gateway.db'}",
            bootstrap,
            var_dir,
            **urls,
            **on_one_loop(overrides.get("gateway")),
        )
        yield await stack.enter_async_context(running_gateway(settings))


@asynccontextmanager
async def running_gateway_with_stats(bootstrap: str, var_dir: Path) -> AsyncIterator[Gateway]:
    """A gateway in front of a real stats service, both on SQLite files in ``var_dir``."""
    async with running_platform(bootstrap, var_dir, ("stats",)) as gw:
        yield gw
