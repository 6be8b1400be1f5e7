"""Dialect-neutral statements: the one place that knows SQLite and PostgreSQL differ.

Both databases speak ``INSERT … ON CONFLICT``, but SQLAlchemy builds it from each
dialect's own ``insert``; every "insert if new" and "insert or update" of the platform
goes through here instead of choosing the dialect itself. Statements can be built once
(:func:`insert_ignore_statement`, :func:`upsert_statement`) and executed with a list of
rows, which compiles them once per call site rather than once per row.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table, func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

Executor = AsyncSession | AsyncConnection
Rows = Mapping[str, Any] | Sequence[Mapping[str, Any]]
#: Builds ``SET`` expressions from the statement's ``excluded`` (the proposed row).
SetBuilder = Callable[[Any], Mapping[str, Any]]
#: Builds the ``WHERE`` of ``DO UPDATE`` from ``excluded``: the update happens only where it holds.
WhereBuilder = Callable[[Any], ColumnElement[bool]]


def dialect_of(executor: Executor | Connection | str) -> str:
    """``postgresql`` or ``sqlite`` (of a session, a connection, or the name itself)."""
    if isinstance(executor, str):
        return executor
    if isinstance(executor, AsyncSession):
        return executor.get_bind().dialect.name
    return executor.dialect.name


def insert_for(executor: Executor | Connection | str, table: Table) -> Any:
    """The dialect's INSERT for ``table`` (one with ``on_conflict_do_*``)."""
    return (pg_insert if dialect_of(executor) == "postgresql" else sqlite_insert)(table)


def greatest(executor: Executor | Connection | str, *values: Any) -> Any:
    """SQL ``GREATEST`` (PostgreSQL) or the multi-argument ``MAX`` (SQLite)."""
    return (func.greatest if dialect_of(executor) == "postgresql" else func.max)(*values)


def _as_list(rows: Rows) -> list[dict[str, Any]]:
    return [dict(rows)] if isinstance(rows, Mapping) else [dict(r) for r in rows]


def insert_ignore_statement(
    executor: Executor | Connection | str,
    table: Table,
    *,
    conflict: Sequence[str] | None = None,
    returning: Any = None,
) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING`` for ``table``, to execute with rows.

    ``conflict`` names the unique key whose conflicts are ignored (default: any).
    """
    stmt = insert_for(executor, table).on_conflict_do_nothing(
        index_elements=list(conflict) if conflict else None
    )
    return stmt.returning(returning) if returning is not None else stmt


async def insert_ignore(
    executor: Executor,
    table: Table,
    rows: Rows,
    *,
    conflict: Sequence[str] | None = None,
) -> int:
    """Insert the rows that are new, ignore the rest; how many were new."""
    values = _as_list(rows)
    if not values:
        return 0
    stmt = insert_ignore_statement(executor, table, conflict=conflict).values(values)
    result = await executor.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0)  # typed as Result; an INSERT's result has it


async def insert_ignore_returning(
    executor: Executor,
    table: Table,
    rows: Rows,
    returning: Any,
    *,
    conflict: Sequence[str] | None = None,
) -> list[Any]:
    """Like :func:`insert_ignore`; the ``returning`` column's values of the rows that were new."""
    values = _as_list(rows)
    if not values:
        return []
    stmt = insert_ignore_statement(executor, table, conflict=conflict, returning=returning)
    keys = values[0].keys()
    if len(values) > 1 and all(row.keys() == keys for row in values):
        # Rows as executemany parameters: the statement compiles once and is cached, and
        # SQLAlchemy's "insertmanyvalues" sends them as multi-row INSERTs with RETURNING.
        # ``.values(list)`` compiles a fresh VALUES list per call — for 100 rows of 30
        # columns that was half the CPU of a tracking push (bench/logistics_tracking.py).
        return list((await executor.execute(stmt, values)).scalars())
    return list((await executor.execute(stmt.values(values))).scalars())


def upsert_statement(
    executor: Executor | Connection | str,
    table: Table,
    key: Sequence[str],
    *,
    replace: Collection[str] = (),
    add: Collection[str] = (),
    set_: SetBuilder | None = None,
    where: WhereBuilder | None = None,
    returning: Sequence[Any] = (),
) -> Any:
    """``INSERT … ON CONFLICT (key) DO UPDATE``, to execute with rows.

    On a conflict the stored row takes the new value of each column in ``replace``, the
    stored value plus the new one for each column in ``add`` (counters, sums), and the
    expressions ``set_(excluded)`` gives; ``where(excluded)`` limits the update (a
    conditional claim). With nothing to update it ignores the conflict.
    """
    stmt = insert_for(executor, table)
    update: dict[str, Any] = {c: stmt.excluded[c] for c in replace}
    update.update({c: table.c[c] + stmt.excluded[c] for c in add})
    if set_ is not None:
        update.update(set_(stmt.excluded))
    if update:
        stmt = stmt.on_conflict_do_update(
            index_elements=list(key),
            set_=update,
            where=where(stmt.excluded) if where is not None else None,
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(key))
    return stmt.returning(*returning) if returning else stmt


async def upsert(
    executor: Executor,
    table: Table,
    rows: Rows,
    key: Sequence[str],
    *,
    replace: Collection[str] | None = None,
    add: Collection[str] = (),
    set_: SetBuilder | None = None,
    where: WhereBuilder | None = None,
) -> None:
    """Insert the rows; on a key conflict update the stored row (see :func:`upsert_statement`).

    ``replace`` defaults to every column of the rows that is neither in ``key`` nor in
    ``add``, nor set by ``set_``: "insert or overwrite".
    """
    values = _as_list(rows)
    if not values:
        return
    if replace is None:
        taken = set(key) | set(add)
        replace = [c for c in values[0] if c not in taken]
        if set_ is not None:
            # The builder's keys do not depend on the values; call it on the real statement below.
            probe = insert_for(executor, table).excluded
            replace = [c for c in replace if c not in set_(probe)]
    stmt = upsert_statement(executor, table, key, replace=replace, add=add, set_=set_, where=where)
    if len(values) == 1:
        await executor.execute(stmt.values(values[0]))
    else:
        await executor.execute(stmt, values)


__all__ = [
    "Executor",
    "Rows",
    "dialect_of",
    "greatest",
    "insert_for",
    "insert_ignore",
    "insert_ignore_returning",
    "insert_ignore_statement",
    "upsert",
    "upsert_statement",
]
