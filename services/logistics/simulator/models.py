"""The carrier simulator's tables: per leg, the journey it decided and how far it has pushed it;
per warehouse or claims task, its plan and how far it has played it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.logistics.base import Base
from shared.sqltypes import JSONText, UTCDateTime


class SimulatedLeg(Base):
    """One leg the simulator plays (or left to a real carrier: ``outcome`` ``skipped``)."""

    __tablename__ = "logistics_simulated_legs"
    __table_args__ = (Index("ix_logistics_simulated_legs_open", "finished_at", "shipment_id"),)

    leg_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    shipment_id: Mapped[str] = mapped_column(String(36))
    sequence: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(8), doc="upu, fsu, dcsa, kdniao or own")
    journey: Mapped[dict[str, Any]] = mapped_column(JSONText, doc="the steps decided at first sight")
    delay_scale: Mapped[float] = mapped_column(Float, doc="the time compression it plays with")
    started_at: Mapped[dt.datetime | None] = mapped_column(
        UTCDateTime, nullable=True, doc="null while an earlier leg of the shipment is under way"
    )
    steps_sent: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str] = mapped_column(
        String(12), doc="playing, delivered, lost, skipped (a carrier reports it), refused, not_reached"
    )
    note: Mapped[str | None] = mapped_column(String(300), nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class SimulatedTask(Base):
    """One piece of warehouse or claims work the simulator plays: an ASN to receive, an order
    to fulfil, a return to grade, a claim to answer — its plan, decided at first sight, and how
    far it has got."""

    __tablename__ = "logistics_simulated_tasks"
    __table_args__ = (Index("ix_logistics_simulated_tasks_open", "finished_at", "created_at"),)

    kind: Mapped[str] = mapped_column(String(8), primary_key=True, doc="asn, order, return or claim")
    object_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    party_id: Mapped[str] = mapped_column(String(64), doc="the operator or carrier party it acts as")
    plan: Mapped[dict[str, Any]] = mapped_column(JSONText, doc="the steps and their bodies, decided once")
    delay_scale: Mapped[float] = mapped_column(Float, doc="the time compression it plays with")
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    steps_done: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str] = mapped_column(String(12), doc="playing, done, cancelled or refused")
    note: Mapped[str | None] = mapped_column(String(300), nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
