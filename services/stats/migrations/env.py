"""Alembic environment of the stats service (run through ``python -m services.stats migrate``)."""

from services.stats.models import metadata
from shared.migrations import run_migrations

run_migrations(metadata)
