"""declaration_0002 replaces the foundation slice's table on SQLite and PostgreSQL, and downgrades cleanly."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from shared.db import Database
from shared.migrations import alembic_config

DOMAIN_TABLES = {
    "filings",
    "documents",
    "document_status_changes",
    "inventory_matches",
    "buyer_quotas",
    "quota_usages",
    "tax_assessments",
    "party_codes",
}


async def _migrate(db: Database, action: str, revision: str) -> None:
    config = alembic_config("declaration", db.url)

    def run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)

    async with db.engine.begin() as conn:
        await conn.run_sync(run)


async def _tables(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_upgrade_drops_the_slice_and_downgrade_restores_it(database_url: str) -> None:
    db = Database(database_url)
    try:
        await _migrate(db, "upgrade", "declaration_0001")
        async with db.engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO order_documents (id, party_id, order_no, ebp_code, ebc_code, mode,"
                    " direction, currency, goods_value, value_cny, cny_rate, country, status, created_at)"
                    " VALUES ('o1', 'p', 'n', 'e', 'e', '9610', 'export', '142', '1', '1', '1', '502',"
                    " 'accepted', CURRENT_TIMESTAMP)"
                )
            )
        await _migrate(db, "upgrade", "head")
        tables = await _tables(db)
        assert DOMAIN_TABLES <= tables and "order_documents" not in tables
        await _migrate(db, "downgrade", "declaration_0001")
        tables = await _tables(db)
        assert "order_documents" in tables and not DOMAIN_TABLES & tables
        await _migrate(db, "upgrade", "head")
        assert DOMAIN_TABLES <= await _tables(db)
    finally:
        await db.dispose()
