"""The declarative base every table of the stats service hangs on (one MetaData)."""

from __future__ import annotations

from shared.models import declarative_base

Base = declarative_base()
metadata = Base.metadata

#: Stands for "unknown" in a dimension column: aggregate keys never hold NULL, so
#: upserts and unique keys behave the same on SQLite and PostgreSQL.
UNKNOWN = ""
