"""Declarative base factory: every service gets its own MetaData with one naming
convention, so constraint names are stable across SQLite and PostgreSQL and Alembic's
batch mode can alter them on SQLite."""

from __future__ import annotations

from typing import cast

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


def declarative_base() -> type[DeclarativeBase]:
    """A declarative base bound to a fresh service MetaData."""

    class Base(DeclarativeBase):
        metadata = service_metadata()

    return Base


def table_of(model: type[DeclarativeBase]) -> Table:
    """The Core table of a mapped class (typed: ``__table__`` is only a ``FromClause`` to mypy)."""
    return cast(Table, model.__table__)
