"""Data migrations for renamed document statuses (:data:`shared.events.statuses.LEGACY_NAMES`).

Every service that stores a document status by name renames its rows in one Alembic
revision of its own; readers map an old name on their own anyway (the enum's
``_missing_``), so a row written by a replica still on the old version between the
migration and its restart reads correctly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sqlalchemy as sa
from alembic import op

from shared.events.statuses import LEGACY_NAMES


def rename_statuses(table: str, columns: Sequence[str], names: Mapping[str, str] = LEGACY_NAMES) -> None:
    """Rewrite the old status names of ``columns`` in ``table`` to the new ones."""
    target = sa.table(table, *(sa.column(c) for c in columns))
    for column in columns:
        for old, new in names.items():
            op.execute(target.update().where(target.c[column] == old).values({column: new}))


def restore_statuses(table: str, columns: Sequence[str], names: Mapping[str, str] = LEGACY_NAMES) -> None:
    """The downgrade of :func:`rename_statuses`."""
    rename_statuses(table, columns, {new: old for old, new in names.items()})
