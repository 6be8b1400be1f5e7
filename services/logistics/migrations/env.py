"""Alembic environment of the logistics service (run through ``python -m services.logistics migrate``)."""

from services.logistics.models import metadata
from shared.migrations import run_migrations

run_migrations(metadata)
