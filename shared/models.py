"""The one form of a service's declarative base: its own MetaData, one naming convention.

Every service declares its base the same way (``services/<name>/base.py``)::

    class Base(ServiceBase, DeclarativeBase):
        '''Base class of every <name> table.'''

so constraint names are stable across SQLite and PostgreSQL (Alembic's batch mode can
alter them on SQLite) and no service shares another's MetaData.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import MetaData, Table
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def service_metadata() -> MetaData:
    """A fresh MetaData with the platform's naming convention."""
    return MetaData(naming_convention=NAMING_CONVENTION)


class ServiceBase:
    """Mixin that gives a service's declarative base a fresh MetaData with the platform's convention.

    Put it before ``DeclarativeBase``: the base (the class deriving from
    ``DeclarativeBase`` directly) gets its MetaData here, before SQLAlchemy sets the base
    up; the mapped classes below it are left alone.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        if DeclarativeBase in cls.__bases__ and "metadata" not in cls.__dict__:
            cls.metadata = service_metadata()  # type: ignore[attr-defined]
        super().__init_subclass__(**kwargs)


def declarative_base() -> type[DeclarativeBase]:
    """A declarative base bound to a fresh service MetaData."""

    class Base(ServiceBase, DeclarativeBase):
        pass

    return Base


def table_of(model: type[DeclarativeBase]) -> Table:
    """The Core table of a mapped class (typed: ``__table__`` is only a ``FromClause`` to mypy)."""
    return cast(Table, model.__table__)
