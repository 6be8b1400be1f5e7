"""Small SQL helpers that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession


def dialect_of(session: AsyncSession) -> str:
    """``postgresql`` or ``sqlite``."""
    return session.get_bind().dialect.name


def insert_for(session: AsyncSession, table: Table) -> Any:
    """The dialect's INSERT (with ON CONFLICT support) for ``table``."""
    return (pg_insert if dialect_of(session) == "postgresql" else sqlite_insert)(table)


async def upsert_add(
    session: AsyncSession,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    key: Sequence[str],
    measures: Sequence[str],
) -> None:
    """INSERT rows; on a key conflict add their measures to the stored ones."""
    if not rows:
        return
    stmt = insert_for(session, table)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(key), set_={m: table.c[m] + stmt.excluded[m] for m in measures}
    )
    await session.execute(stmt, [dict(r) for r in rows])


async def upsert_replace(
    session: AsyncSession, table: Table, row: Mapping[str, Any], key: Sequence[str]
) -> None:
    """INSERT a row; on a key conflict overwrite every non-key column."""
    stmt = insert_for(session, table).values(**row)
    update = {c: stmt.excluded[c] for c in row if c not in key}
    stmt = (
        stmt.on_conflict_do_update(index_elements=list(key), set_=update)
        if update
        else stmt.on_conflict_do_nothing()
    )
    await session.execute(stmt)


async def insert_ignore(session: AsyncSession, table: Table, row: Mapping[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True if the row is new."""
    result = await session.execute(insert_for(session, table).values(**row).on_conflict_do_nothing())
    return bool(cast(CursorResult[Any], result).rowcount)
