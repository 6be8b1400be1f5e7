"""Throw-away PostgreSQL databases for the benchmarks that need a server of their own."""

from __future__ import annotations

import os
import uuid

import asyncpg

#: The server the benchmarks create their databases on (a maintenance database URL).
SERVER = os.environ.get("DDT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


async def create_database(prefix: str) -> str:
    """Create an empty database named ``<prefix>_<random>`` and return its name."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(SERVER)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return name


async def drop_database(name: str) -> None:
    """Drop the database, closing whatever sessions are still on it."""
    conn = await asyncpg.connect(SERVER)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def sqlalchemy_url(name: str) -> str:
    """The SQLAlchemy (asyncpg driver) URL of a database on :data:`SERVER`."""
    base = SERVER.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{base}/{name}"
