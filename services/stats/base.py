"""The declarative base every table of the stats service hangs on (one MetaData)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table
from sqlalchemy.orm import DeclarativeBase

from shared.models import service_metadata


class Base(DeclarativeBase):
    """Base class of every stats table (the platform's naming convention)."""

    metadata = service_metadata()


metadata = Base.metadata

#: Stands for "unknown" in a dimension column: aggregate keys never hold NULL, so
#: upserts and unique keys behave the same on SQLite and PostgreSQL.
UNKNOWN = ""


def table_of(model: type[Base]) -> Table:
    """The Core table of a mapped class (typed: ``__table__`` is only a ``FromClause`` to mypy)."""
    return cast(Table, model.__table__)
