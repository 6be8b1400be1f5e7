"""The gateway's declarative base (one MetaData for every gateway table)."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from shared.models import ServiceBase


class Base(ServiceBase, DeclarativeBase):
    """Base class of every gateway table."""


metadata = Base.metadata
