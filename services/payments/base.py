"""The declarative base of the payments service's tables (its own MetaData)."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from shared.models import ServiceBase, table_of


class Base(ServiceBase, DeclarativeBase):
    """Base class of every payments table."""


metadata = Base.metadata

__all__ = ["Base", "metadata", "table_of"]
