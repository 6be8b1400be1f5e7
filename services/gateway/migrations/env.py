"""Alembic environment of the gateway service (run through ``python -m services.gateway migrate``)."""

from services.gateway.models import metadata
from shared.migrations import run_migrations

run_migrations(metadata)
