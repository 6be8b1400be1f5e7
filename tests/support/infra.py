"""Real infrastructure for tests: the tansu broker, PostgreSQL databases, SQLite files."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg

from deploy.embedded import start_broker, wait_for_port

POSTGRES_URL = os.environ.get("DDT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("DDT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Broker:
    """A tansu Kafka-protocol broker on a loopback port, with in-memory storage."""

    def __init__(self, port: int | None = None, log_dir: Path | None = None) -> None:
        self.port = port or free_port()
        self.log_dir = log_dir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        """``host:port`` for clients."""
        return f"127.0.0.1:{self.port}"

    def start(self) -> Broker:
        """Start (or restart, with empty memory) the broker."""
        log = self.log_dir / f"broker-{self.port}.log" if self.log_dir else None
        self.process = start_broker(self.port, log, detached=False)
        if not wait_for_port(self.port, 20):
            raise RuntimeError("tansu broker did not start")
        return self

    def stop(self) -> None:
        """Stop the broker; its memory is lost."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def asyncpg_dsn(url: str) -> str:
    """asyncpg wants a plain ``postgresql://`` URL."""
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def create_pg_database(prefix: str = "ddt_test") -> str:
    """Create a fresh database; returns its SQLAlchemy (asyncpg) URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(asyncpg_dsn(POSTGRES_URL))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base = POSTGRES_URL.rsplit("/", 1)[0]
    return f"{base.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"


async def drop_pg_database(url: str) -> None:
    """Drop a database made by :func:`create_pg_database` (closing its connections)."""
    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(asyncpg_dsn(POSTGRES_URL))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def wait_until(
    predicate: Callable[[], Awaitable[Any]], timeout: float = 20.0, interval: float = 0.1, message: str = ""
) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = await predicate()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s: {message or predicate} (last value {last!r})")
