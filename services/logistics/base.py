"""The declarative base of the logistics service's tables (its own MetaData)."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from shared.models import service_metadata, table_of


class Base(DeclarativeBase):
    """Base class of every logistics table (the platform's naming convention)."""

    metadata = service_metadata()


metadata = Base.metadata

__all__ = ["Base", "metadata", "table_of"]
