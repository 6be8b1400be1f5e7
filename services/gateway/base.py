"""The gateway's declarative base (one MetaData for every gateway table)."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from shared.models import service_metadata


class Base(DeclarativeBase):
    """Base class of every gateway table (the platform's naming convention)."""

    metadata = service_metadata()


metadata = Base.metadata
