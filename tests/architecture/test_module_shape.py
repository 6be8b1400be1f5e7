"""The module shape of docs/architecture.md, held by the code itself.

* SQL lives in repositories (``repository.py``), models (table definitions) and migrations;
* nothing commits but the unit of work (``shared/db.py``);
* every route documents its answer: a response model, or a raw response declared with
  its media types, or no content.

``LEGACY`` lists the files written before the shape was set down that still break a rule;
it may only shrink: a listed file that now keeps the rule fails the test until it is
taken off the list, so the list is always the exact debt.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ["gateway", "declaration", "logistics", "payments", "stats"]

#: Names whose use means "this module builds SQL".
SQL_NAMES = {
    "select",
    "insert",
    "update",
    "delete",
    "text",
    "func",
    "and_",
    "or_",
    "tuple_",
    "exists",
    "literal_column",
    "union_all",
    "case",
    "pg_insert",
    "sqlite_insert",
}
#: Session and connection methods that run SQL.
SQL_CALLS = {"execute", "scalar", "scalars", "stream", "stream_scalars", "exec_driver_sql"}

#: Where SQL may be: repositories, table definitions, migrations, and the kit and
#: messaging code beneath every module.
SQL_HOMES = ("repository.py", "models.py")
SQL_HOME_DIRS = ("migrations", "repositories")
SHARED_SQL = {
    "shared/db.py",
    "shared/leadership.py",
    "shared/migrations.py",
    "shared/messaging/outbox.py",
    "shared/messaging/consumer.py",
    "shared/messaging/tables.py",
    "shared/messaging/ddl_v1.py",
    "shared/events/status_renames.py",  # data migrations of renamed statuses, run only by migrations
    "shared/kit/sql.py",
    "shared/kit/repository.py",
    "shared/kit/pagination.py",
}
#: The unit of work commits the database; the consumer commits Kafka offsets (not SQL).
COMMIT_HOMES = {"shared/db.py", "shared/messaging/consumer.py"}

#: (file, rule) pairs that predate the shape; shrink only.
LEGACY: set[tuple[str, str]] = set()


def _python_files() -> Iterator[Path]:
    for top in ("services", "shared"):
        yield from sorted((ROOT / top).rglob("*.py"))


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _builds_sql(tree: ast.AST) -> list[str]:
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sqlalchemy"):
            found += [f"imports {a.name}" for a in node.names if a.name in SQL_NAMES]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in SQL_CALLS:
                found.append(f"calls .{node.func.attr}()")
    return found


def _commits(tree: ast.AST) -> bool:
    return any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit"
        for node in ast.walk(tree)
    )


def _sql_allowed(rel: str) -> bool:
    parts = rel.split("/")
    return (
        rel in SHARED_SQL
        or parts[-1] in SQL_HOMES
        or any(p in SQL_HOME_DIRS for p in parts[:-1])
        or parts[-1].endswith("_repository.py")
    )


def _violations() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for path in _python_files():
        rel = _rel(path)
        tree = ast.parse(path.read_text("utf-8"), filename=rel)
        if not _sql_allowed(rel) and _builds_sql(tree):
            found.add((rel, "sql"))
        if rel not in COMMIT_HOMES and _commits(tree):
            found.add((rel, "commit"))
    return found


def test_sql_and_commits_stay_where_the_shape_puts_them() -> None:
    new = _violations() - LEGACY
    assert not new, "SQL outside a repository or a commit outside the unit of work:\n" + "\n".join(
        f"  {path}: {rule}" for path, rule in sorted(new)
    )


def test_the_legacy_list_is_the_exact_debt() -> None:
    mended = {entry for entry in LEGACY if entry[1] in {"sql", "commit"}} - _violations()
    assert not mended, "now on the shape; take these off LEGACY:\n" + "\n".join(
        f"  {path}: {rule}" for path, rule in sorted(mended)
    )


def _app(name: str) -> FastAPI:
    module = importlib.import_module(f"services.{name}.app")
    app: FastAPI = module.create_app()
    return app


def _has_ref(schema: Any) -> bool:
    if isinstance(schema, dict):
        return "$ref" in schema or any(_has_ref(v) for v in schema.values())
    if isinstance(schema, list):
        return any(_has_ref(v) for v in schema)
    return False


def _documents_its_answer(operation: dict[str, Any]) -> bool:
    """A success answer with a model schema (a ``$ref``), a declared raw media type, or no content."""
    for status, response in operation.get("responses", {}).items():
        if not str(status).startswith("2"):
            continue
        if str(status) == "204":
            return True
        for media_type, content in (response.get("content") or {}).items():
            schema = content.get("schema") or {}
            if "json" in media_type and _has_ref(schema):
                return True
            if "json" not in media_type and schema:
                return True
    return False


def _undocumented_routes(name: str) -> set[tuple[str, str]]:
    found = set()
    for path, operations in _app(name).openapi().get("paths", {}).items():
        for method, operation in operations.items():
            if method in {"get", "put", "post", "patch", "delete"} and not _documents_its_answer(operation):
                found.add((f"services/{name}", f"route {method.upper()} {path}"))
    return found


@pytest.mark.parametrize("name", SERVICES)
def test_every_route_documents_its_answer(name: str) -> None:
    legacy = {entry for entry in LEGACY if entry[0] == f"services/{name}"}
    new = _undocumented_routes(name) - legacy
    assert not new, "routes without a response model or a declared raw response:\n" + "\n".join(
        f"  {rule}" for _service, rule in sorted(new)
    )
    mended = legacy - _undocumented_routes(name)
    assert not mended, "now documented; take these off LEGACY:\n" + "\n".join(
        f"  {rule}" for _service, rule in sorted(mended)
    )
