"""Every service's declarative base has the one shared form: its own MetaData, the platform's convention."""

from __future__ import annotations

import importlib

import pytest
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.models import NAMING_CONVENTION, ServiceBase

BASES = ["services.gateway.base", "services.declaration.base", "services.stats.base"]


def test_each_service_base_owns_a_metadata_with_the_naming_convention() -> None:
    bases = [importlib.import_module(name).Base for name in BASES]
    assert len({id(b.metadata) for b in bases}) == len(bases)
    for base in bases:
        assert base.metadata.naming_convention["pk"] == NAMING_CONVENTION["pk"]
        assert base.metadata.naming_convention["uq"] == NAMING_CONVENTION["uq"]


def test_a_mapped_class_lands_in_its_own_services_metadata_only() -> None:
    class One(ServiceBase, DeclarativeBase):
        pass

    class Other(ServiceBase, DeclarativeBase):
        pass

    class Row(One):
        __tablename__ = "rows"
        id: Mapped[str] = mapped_column(String(8), primary_key=True)

    assert "rows" in One.metadata.tables and "rows" not in Other.metadata.tables
    assert Row.__table__.primary_key.name == "pk_rows"


@pytest.mark.parametrize("name", BASES)
def test_service_base_files_use_the_shared_form(name: str) -> None:
    base = importlib.import_module(name).Base
    assert base.__bases__ == (ServiceBase, DeclarativeBase)
