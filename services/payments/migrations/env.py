"""Alembic environment of the payments service (run through ``python -m services.payments migrate``)."""

from services.payments.models import metadata
from shared.migrations import run_migrations

run_migrations(metadata)
