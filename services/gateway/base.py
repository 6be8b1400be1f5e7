"""The gateway's declarative base (one MetaData for every gateway table)."""

from __future__ import annotations

from shared.models import declarative_base

Base = declarative_base()
metadata = Base.metadata
