"""Institutions, the enterprises they serve (with their accounts, sealed), and access grants."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.payments.base import Base
from shared.sqltypes import BigIntPK, UTCDateTime


class Institution(Base):
    """A bank or payment institution and its licence data."""

    __tablename__ = "payments_institutions"

    party_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), doc="bank or payment_institution")
    name: Mapped[str] = mapped_column(String(200))
    pay_code: Mapped[str | None] = mapped_column(String(18), nullable=True, doc="customs payCode")
    swift_bic: Mapped[str | None] = mapped_column(String(11), nullable=True)
    pboc_licence_no: Mapped[str | None] = mapped_column(String(14), nullable=True)
    licence_scopes: Mapped[list[str]] = mapped_column(JSON)
    licence_valid_until: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    safe_directory: Mapped[bool] = mapped_column(Boolean, doc="on SAFE's directory for FX business")
    cross_border_rmb: Mapped[bool] = mapped_column(Boolean)
    cross_border_rmb_since: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    partner_bank_party_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    headquarters_in_city: Mapped[bool] = mapped_column(
        Boolean, doc="national/regional HQ in the city (四(十四))"
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ClientRelation(Base):
    """An institution serves an enterprise (it opened the account, it receives its payouts)."""

    __tablename__ = "payments_client_relations"

    institution_party_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    enterprise_party_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    status: Mapped[str] = mapped_column(String(12), doc="active or ended")
    since: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ClientAccount(Base):
    """An enterprise's account at an institution: the number sealed, found by keyed hash, shown masked."""

    __tablename__ = "payments_client_accounts"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    institution_party_id: Mapped[str] = mapped_column(String(64))
    enterprise_party_id: Mapped[str] = mapped_column(String(64))
    account_hash: Mapped[str] = mapped_column(String(64))
    account_key_id: Mapped[str] = mapped_column(String(32))
    account_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    account_masked: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("institution_party_id", "account_hash"),
        Index("ix_payments_client_accounts_enterprise", "enterprise_party_id"),
    )


class AccessGrant(Base):
    """An enterprise's grant to an institution to read its transaction information."""

    __tablename__ = "payments_access_grants"

    enterprise_party_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    institution_party_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    status: Mapped[str] = mapped_column(String(12), doc="active or revoked")
    granted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class GrantChange(Base):
    """Every grant and revocation, kept (who let whom see what, and when)."""

    __tablename__ = "payments_grant_changes"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    enterprise_party_id: Mapped[str] = mapped_column(String(64), index=True)
    institution_party_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(8), doc="grant or revoke")
    credential_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    request_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
