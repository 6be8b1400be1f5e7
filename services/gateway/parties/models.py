"""Tables of the party registry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.gateway.base import Base
from shared.sqltypes import JSONText, UTCDateTime


class Party(Base):
    """An organisation using the platform (enterprise, platform, carrier, bank, regulator …)."""

    __tablename__ = "parties"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    customs_code: Mapped[str | None] = mapped_column(String(10), unique=True, nullable=True)
    district: Mapped[str | None] = mapped_column(String(64), nullable=True)
    park: Mapped[str | None] = mapped_column(String(64), nullable=True)
    roles: Mapped[list[str]] = mapped_column(JSONText)
    status: Mapped[str] = mapped_column(String(20), default="active")
    status_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class PartyCode(Base):
    """An enterprise code used in customs documents; the primary key makes it belong to one party only."""

    __tablename__ = "party_codes"

    code: Mapped[str] = mapped_column(String(18), primary_key=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"), index=True)
    kinds: Mapped[list[str]] = mapped_column(JSONText)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class PartyDelegation(Base):
    """An agent (platform, broker, carrier …) may file customs documents for this enterprise.

    The column names keep their first meaning (a platform and its merchant); any filer
    role may be the agent. ``message_types`` scopes the delegation (``["CEB311", "CEB621"]``);
    empty means every message type.
    """

    __tablename__ = "party_delegations"

    platform_party_id: Mapped[str] = mapped_column(
        ForeignKey("parties.id", ondelete="CASCADE"), primary_key=True
    )
    merchant_party_id: Mapped[str] = mapped_column(
        ForeignKey("parties.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    message_types: Mapped[list[str]] = mapped_column(JSONText, default=list, server_default="[]")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "platform_party_id": self.platform_party_id,
            "merchant_party_id": self.merchant_party_id,
            "message_types": list(self.message_types or []),
            "created_at": self.created_at,
        }


class PartyMilestoneFiling(Base):
    """A logistics firm's choice, per customs milestone message, of how the track files it.

    ``settings`` maps CEB507 / CEB509 / CEB513 to ``off`` / ``review`` / ``auto``
    (:data:`shared.events.logistics.MilestoneFiling`); a type not named is ``off``. The
    declaration service learns it from ``MilestoneFilingSet`` events.
    """

    __tablename__ = "party_milestone_filing"

    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"), primary_key=True)
    settings: Mapped[dict[str, str]] = mapped_column(JSONText)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
