"""Export credit insurance policies, buyer limits, shipment declarations, reminders and policy financing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.payments.base import Base
from shared.sqltypes import Money, UTCDateTime


class InsurancePolicy(Base):
    """A short-term export credit insurance policy an enterprise holds (e.g. Sinosure's)."""

    __tablename__ = "payments_insurance_policies"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    enterprise_party_id: Mapped[str] = mapped_column(String(64), index=True)
    insurer: Mapped[str] = mapped_column(String(100))
    policy_no: Mapped[str] = mapped_column(String(64))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    coverage_pct: Mapped[Decimal] = mapped_column(Money)
    max_liability: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(12), doc="active or cancelled")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("enterprise_party_id", "insurer", "policy_no"),)


class BuyerLimit(Base):
    """The credit limit the insurer approved for one overseas buyer (a company) under a policy."""

    __tablename__ = "payments_insurance_buyer_limits"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    policy_id: Mapped[str] = mapped_column(String(40), index=True)
    buyer_code: Mapped[str] = mapped_column(String(64))
    buyer_name: Mapped[str] = mapped_column(String(200))
    buyer_country: Mapped[str] = mapped_column(String(3), doc="customs country code")
    approved_limit: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    payment_terms: Mapped[str] = mapped_column(String(40))
    credit_days: Mapped[int] = mapped_column()
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), doc="approved, suspended or cancelled")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("policy_id", "buyer_code"),)


class ShipmentDeclaration(Base):
    """A shipment declaration (出运申报) the platform prepared from a released export."""

    __tablename__ = "payments_insurance_declarations"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    document_id: Mapped[str] = mapped_column(String(128), unique=True, doc="the released inventory")
    enterprise_party_id: Mapped[str] = mapped_column(String(64))
    policy_id: Mapped[str] = mapped_column(String(40))
    limit_id: Mapped[str] = mapped_column(String(40), index=True)
    order_no: Mapped[str | None] = mapped_column(String(64), nullable=True)
    invt_no: Mapped[str | None] = mapped_column(String(64), nullable=True)
    shipment_date: Mapped[dt.date] = mapped_column(Date)
    invoice_amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    payment_terms: Mapped[str] = mapped_column(String(40))
    payment_due_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), doc="prepared, submitted, overdue or withdrawn")
    insurer_reference: Mapped[str | None] = mapped_column(String(64), nullable=True)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    prepared_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_payments_insurance_declarations_enterprise", "enterprise_party_id", "status"),
    )


class DeclarationReminder(Base):
    """A reminder given about a declaration (once per stage: before, due, overdue)."""

    __tablename__ = "payments_insurance_reminders"

    declaration_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    stage: Mapped[str] = mapped_column(String(8), primary_key=True)
    given_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class PolicyFinancing(Base):
    """Financing on a policy (保单融资): a bank as indemnity payee (赔款转让), or the receivable assigned."""

    __tablename__ = "payments_insurance_financings"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    policy_id: Mapped[str] = mapped_column(String(40), index=True)
    enterprise_party_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(24), doc="indemnity_assignment or receivable_assignment")
    bank_party_id: Mapped[str] = mapped_column(String(64))
    agreement_no: Mapped[str] = mapped_column(String(64))
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    declaration_ids: Mapped[str] = mapped_column(String(2000), doc="space-separated shipment declarations")
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("policy_id", "agreement_no"),)
