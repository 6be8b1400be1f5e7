"""The declarative base every table of the stats service hangs on (one MetaData)."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from shared.models import ServiceBase, table_of


class Base(ServiceBase, DeclarativeBase):
    """Base class of every stats table."""


metadata = Base.metadata

#: Stands for "unknown" in a dimension column: aggregate keys never hold NULL, so
#: upserts and unique keys behave the same on SQLite and PostgreSQL.
UNKNOWN = ""

__all__ = ["UNKNOWN", "Base", "metadata", "table_of"]
