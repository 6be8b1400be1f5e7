"""The declarative base every table of the logistics service hangs on (one MetaData).

Each domain module's ``models.py`` builds on :class:`Base`; ``services.logistics.models``
imports them all so Alembic and the tests see every table.
"""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from shared.models import ServiceBase, table_of


class Base(ServiceBase, DeclarativeBase):
    """Base class of every logistics table."""


metadata = Base.metadata

__all__ = ["Base", "metadata", "table_of"]
