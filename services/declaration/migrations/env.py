"""Alembic environment of the declaration service (run through ``python -m services.declaration migrate``)."""

from services.declaration.models import metadata
from shared.migrations import run_migrations

run_migrations(metadata)
