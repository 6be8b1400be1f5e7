"""Fixtures for the shared library's tests: a migrated database with the messaging tables."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from shared.db import Database
from shared.migrations import upgrade_to_head


@pytest.fixture
async def messaging_db(database_url: str) -> AsyncIterator[Database]:
    """A database migrated with the logistics history (messaging tables only)."""
    db = Database(database_url)
    await upgrade_to_head(db, "logistics")
    yield db
    await db.dispose()
