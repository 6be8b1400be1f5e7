"""Running services in tests: in-process apps (with their lifespan) and real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from deploy.embedded import ROOT, wait_for_port
from shared.identity import IDENTITY_HEADER, Identity, IdentitySigner
from shared.settings import DEV_IDENTITY_SEED, Environment, PlatformSettings, ServiceSettings

S = TypeVar("S", bound=ServiceSettings)

SIGNER = IdentitySigner(DEV_IDENTITY_SEED)

REGULATOR = Identity(party_id="regulator-1", party_name="Commerce bureau", roles=["regulator"])


def platform_settings(bootstrap: str, **overrides: Any) -> PlatformSettings:
    """Platform settings for tests: the given broker, test environment, plain logs."""
    values: dict[str, Any] = {
        "environment": Environment.TEST,
        "kafka_bootstrap_servers": bootstrap,
        # Short group sessions: tansu completes a join after about half the session timeout.
        "kafka_session_timeout_ms": 3000,
        "kafka_heartbeat_interval_ms": 500,
        "gc_freeze_on_start": False,
    }
    values.update(overrides)
    return PlatformSettings(**values)


ONE_LOOP_BUDGET_SECONDS = 30.0
"""The request budget of a platform whose gateway and services share one event loop.

The budget's queue share (250 ms by default) is how long a request may wait in *its own*
process before its work starts. When every service runs on the test's one event loop, that
wait includes the other services' work — a consumer batch, another service's SQLite write —
so on a slow or busy host a request is refused as overloaded that one process per service
would have taken at once. Overload itself is tested with budgets set per test
(tests/gateway/test_gateway_upstream.py, tests/declaration/service/test_admission.py).
"""


def on_one_loop(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """``overrides`` of a service that shares its event loop with the others, with the budget above."""
    values = dict(overrides or {})
    values["platform"] = {"request_budget_seconds": ONE_LOOP_BUDGET_SECONDS, **values.get("platform", {})}
    return values


def service_settings(cls: type[S], database_url: str, bootstrap: str, **overrides: Any) -> S:
    """Settings of service ``cls`` on ``database_url`` with a fast outbox poll.

    The embedded carrier simulator (on by default outside production) is off unless a test
    turns it on: it would push tracking of its own to whatever a test's logistics service
    holds (tests/logistics/test_carrier_simulator.py runs it).
    """
    platform_overrides = overrides.pop("platform", {})
    values: dict[str, Any] = {
        "database_url": database_url,
        "platform": platform_settings(bootstrap, **platform_overrides),
        "outbox_poll_seconds": 0.05,
    }
    if "carrier_simulator_enabled" in cls.model_fields:
        values["carrier_simulator_enabled"] = False
    values.update(overrides)
    return cls(**values)


@asynccontextmanager
async def running_app(app: FastAPI, base_url: str = "http://testserver") -> AsyncIterator[httpx.AsyncClient]:
    """Start ``app``'s lifespan and give a client talking to it in-process."""
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield client


def identity_headers(identity: Identity, service: str, method: str, target: str) -> dict[str, str]:
    """Headers the gateway would add for ``identity`` calling ``service`` at ``target``.

    ``target`` is the path with its query, if any, as sent: the token is bound to both.
    """
    token = SIGNER.mint(identity, audience=f"ddt-{service}", method=method, path=target)
    return {IDENTITY_HEADER: token}


async def send_as(
    client: httpx.AsyncClient, identity: Identity, service: str, method: str, url: str, **kwargs: Any
) -> httpx.Response:
    """Send a request as the gateway would forward it for ``identity`` (``params=`` and all)."""
    headers = kwargs.pop("headers", None) or {}
    request = client.build_request(method, url, **kwargs)
    request.headers.update(
        identity_headers(identity, service, method, request.url.raw_path.decode("ascii")) | dict(headers)
    )
    return await client.send(request)


class ServiceProcess:
    """A service run as a real process (``python -m services.<name> serve``), killable with -9."""

    def __init__(self, name: str, port: int, env: dict[str, str], log_path: Path) -> None:
        self.name = name
        self.port = port
        self.env = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL of the running service."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServiceProcess:
        """Start and wait until it listens."""
        log = open(self.log_path, "ab")  # noqa: SIM115 — the child keeps it
        self.process = subprocess.Popen(
            [sys.executable, "-m", f"services.{self.name}", "serve", "--port", str(self.port)],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        if not wait_for_port(self.port, 60):
            raise RuntimeError(f"{self.name} did not start; see {self.log_path}")
        return self

    def kill9(self) -> None:
        """SIGKILL: no shutdown code runs, like a crash or an OOM kill."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        """Graceful stop."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@asynccontextmanager
async def served(app: FastAPI, port: int | None = None) -> AsyncIterator[str]:
    """Serve ``app`` with uvicorn on a loopback port inside this process; yields its base URL.

    Real HTTP between services (as in production) without extra processes.
    """
    import asyncio

    import uvicorn

    from tests.support.infra import free_port

    port = port or free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_config=None, access_log=False, lifespan="on", loop="none"
        )
    )
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("server stopped during start-up")
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
