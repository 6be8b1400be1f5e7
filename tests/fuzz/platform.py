"""The platform the fuzzer attacks: the gateway in front of every real service, on loopback HTTP.

Every service (declaration, logistics, payments, stats — whatever
``UPSTREAM_SERVICES`` lists, so a new one is fuzzed without touching this file) runs
as a real uvicorn server on its own SQLite file, and so does the gateway, on one
event loop in a background thread. Schemathesis drives it with blocking ``requests``
calls from the test's thread, exactly as an outside client would: over TCP, through
the gateway's signature check, identity token and routing.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from services.gateway.app import create_app as create_gateway
from services.gateway.routing.table import UPSTREAM_SERVICES
from tests.gateway.support import (
    Gateway,
    PartyKey,
    customs_code,
    gateway_settings,
    read_first_run,
)
from tests.support.services import on_one_loop, served, service_settings

# Roles of the fuzzing enterprise: every business role a party can hold at once, so the
# customs, logistics and payments operations are reached past the role check.
ENTERPRISE_ROLES = (
    "ecommerce_enterprise",
    "ecommerce_platform",
    "logistics_firm",
    "payment_institution",
    "overseas_warehouse_operator",
)


@dataclass(frozen=True)
class Platform:
    """Where the gateway listens and the parties that sign the fuzzer's requests."""

    base_url: str
    openapi: dict[str, Any]
    credentials: dict[str, PartyKey]


async def _enterprise(gateway: Gateway) -> PartyKey:
    code = customs_code()
    kinds = ["ebpCode", "ebcCode", "agentCode", "logisticsCode", "payCode", "copCode"]
    try:
        return await gateway.onboard(*ENTERPRISE_ROLES, codes=[(code, kinds)], name="Fuzz enterprise")
    except AssertionError:
        # Some role combinations or code kinds may be refused by the registry's rules:
        # fall back to the plainest enterprise rather than fuzz with no enterprise at all.
        return await gateway.enterprise()


async def _serve(bootstrap: str, var_dir: Path, ready: Future[Platform], stop: asyncio.Event) -> None:
    async with AsyncExitStack() as stack:
        urls: dict[str, str] = {}
        for name in UPSTREAM_SERVICES:
            create = importlib.import_module(f"services.{name}.app").create_app
            settings_cls = getattr(
                importlib.import_module(f"services.{name}.settings"), f"{name.title()}Settings"
            )
            settings = service_settings(
                settings_cls, f"sqlite+aiosqlite:///{var_dir / f'{name}.db'}", bootstrap, **on_one_loop()
            )
            urls[f"{name}_url"] = await stack.enter_async_context(served(create(settings)))
        gw_settings = gateway_settings(
            f"sqlite+aiosqlite:///{var_dir / 'gateway.db'}",
            bootstrap,
            var_dir,
            **urls,
            # Generated requests come fast; the rate limiter is tested elsewhere.
            rate_limit_per_second=100000.0,
            rate_limit_burst=100000,
            **on_one_loop(),
        )
        base_url = await stack.enter_async_context(served(create_gateway(gw_settings)))
        first = read_first_run(var_dir)["platform_admin"]
        admin = PartyKey(first["party_id"], first["key_id"], first["secret"], ["platform_admin"])
        client = await stack.enter_async_context(httpx.AsyncClient(base_url=base_url, timeout=30))
        gateway = Gateway(None, client, admin, gw_settings)  # type: ignore[arg-type]
        credentials = {
            "enterprise": await _enterprise(gateway),
            "regulator": await gateway.onboard("regulator", name="Fuzz regulator"),
            "admin": admin,
        }
        document = (await client.get("/openapi.json")).json()
        missing = document.get("x-ddt-unavailable")
        if missing:
            raise RuntimeError(f"services missing from the merged OpenAPI: {missing}")
        ready.set_result(Platform(base_url, document, credentials))
        await stop.wait()


@contextmanager
def running_platform_thread(bootstrap: str, var_dir: Path) -> Iterator[Platform]:
    """Run the platform in a background thread's event loop until the block ends."""
    ready: Future[Platform] = Future()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()

    def run() -> None:
        async def main() -> None:
            try:
                await _serve(bootstrap, var_dir, ready, stop)
            except BaseException as exc:
                if not ready.done():
                    ready.set_exception(exc)
                raise

        try:
            loop.run_until_complete(main())
        except BaseException:
            if ready.done() and ready.exception() is None:
                raise
        finally:
            loop.close()

    thread = threading.Thread(target=run, name=f"fuzz-platform-{uuid.uuid4().hex[:6]}", daemon=True)
    thread.start()
    try:
        yield ready.result(timeout=180)
    finally:
        if not loop.is_closed():
            loop.call_soon_threadsafe(stop.set)
        thread.join(60)


def dump(document: dict[str, Any], path: Path) -> None:
    """Write the merged document (for a failing run's artefacts)."""
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1))
