"""The declarative base of the declaration service's tables (its own MetaData)."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from shared.models import ServiceBase


class Base(ServiceBase, DeclarativeBase):
    """Base class of every declaration table."""


metadata = Base.metadata
