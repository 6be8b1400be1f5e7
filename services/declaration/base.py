"""The declarative base of the declaration service's tables (its own MetaData)."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from shared.models import service_metadata


class Base(DeclarativeBase):
    """Base class of every declaration table (the platform's naming convention)."""

    metadata = service_metadata()


metadata = Base.metadata
