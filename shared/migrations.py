"""Alembic, driven from code: each service has its own history under
``services/<service>/migrations``; the same async engine runs it on SQLite and
PostgreSQL.

* embedded and test modes call :func:`upgrade_to_head` at start-up;
* production runs ``python -m services.<service> migrate`` (see docs/operations.md)
  before starting the new version.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection

from shared.db import Database
from shared.messaging.tables import messaging_metadata

SERVICES_DIR = Path(__file__).resolve().parent.parent / "services"


def alembic_config(service: str, url: str) -> Config:
    """An Alembic config for ``service``'s history (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(SERVICES_DIR / service / "migrations"))
    config.set_main_option("sqlalchemy.url", url)
    config.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    return config


async def upgrade_to_head(db: Database, service: str) -> None:
    """Apply every pending migration of ``service`` to ``db``."""
    config = alembic_config(service, db.url)

    def upgrade(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

    async with db.engine.begin() as conn:
        await conn.run_sync(upgrade)


async def downgrade_to(db: Database, service: str, revision: str = "-1") -> None:
    """Undo ``service``'s migrations down to ``revision`` (``-1``: the latest one)."""
    config = alembic_config(service, db.url)

    def downgrade(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    async with db.engine.begin() as conn:
        await conn.run_sync(downgrade)


async def current_revision(db: Database) -> str | None:
    """The revision the database is at (None if never migrated)."""
    from alembic.runtime.migration import MigrationContext

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with db.engine.connect() as conn:
        return await conn.run_sync(read)


async def autogenerate_revision(db: Database, service: str, message: str) -> None:
    """Write a new revision comparing the models with the database (developer tool)."""
    config = alembic_config(service, db.url)

    def revise(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)

    async with db.engine.begin() as conn:
        await conn.run_sync(revise)


def run_migrations(service_metadata: MetaData) -> None:
    """Body of every service's ``migrations/env.py``.

    Migrations always run on a connection handed over by the functions above;
    ``render_as_batch`` lets ALTERs work on SQLite.
    """
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through `python -m services.<service> migrate`")
    context.configure(
        connection=connection,
        target_metadata=[service_metadata, messaging_metadata],
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
