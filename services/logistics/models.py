"""Tables of the logistics service. Its domain arrives with its own issue; for now it owns
only the messaging tables (outbox, inbox, dead letters) every service has."""

from __future__ import annotations

from shared.models import declarative_base

Base = declarative_base()
metadata = Base.metadata
