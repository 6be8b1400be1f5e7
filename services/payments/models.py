"""Every table of the payments service, imported so Alembic sees one MetaData.

The tables live with their domain modules: ``parties`` (the registry mirror) and
``institutions`` (licence data, client relations and sealed accounts, grants).
"""

from __future__ import annotations

from services.payments.base import Base, metadata
from services.payments.institutions.models import (
    AccessGrant,
    ClientAccount,
    ClientRelation,
    GrantChange,
    Institution,
)
from services.payments.parties.models import Party

__all__ = [
    "AccessGrant",
    "Base",
    "ClientAccount",
    "ClientRelation",
    "GrantChange",
    "Institution",
    "Party",
    "metadata",
]
