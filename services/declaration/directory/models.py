"""Enterprise codes and the party each belongs to (from the gateway's registry)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from services.declaration.base import Base
from shared.sqltypes import UTCDateTime


class PartyCodeEntry(Base):
    """One customs code or USCC of a registered party."""

    __tablename__ = "party_codes"

    code: Mapped[str] = mapped_column(String(18), primary_key=True)
    party_id: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(12), doc="active or suspended")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
