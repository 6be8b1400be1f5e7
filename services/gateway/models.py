"""Tables of the gateway."""

from __future__ import annotations

from shared.models import declarative_base

Base = declarative_base()
metadata = Base.metadata
