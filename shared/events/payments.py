"""Events the payments service publishes (topic ``ddt.payments.events``), and their vocabulary.

Every event names the enterprise as ``party_id`` and, where an institution is involved,
the bank or payment institution as ``institution.party_id``: the gateway's webhook
fan-out delivers an event to every party it names at the top level or one level down,
so a threshold alert reaches both. Payloads carry amounts, currencies, dates and ids,
never account numbers, remitter or payer names (those stay sealed in the payments
database).

Yearly and monthly figures (``RmbSettlementYear``, ``InstitutionVolumeYear``,
``FundsMonth``) carry the *whole* figure and a ``revision`` that grows with every
change: a consumer keeps the highest revision it saw, so duplicates and reordering
never double a sum.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.events.envelope import EventData, register_event


class InstitutionKind(StrEnum):
    """What a payments party is: a bank, or a non-bank payment institution (PBOC licence)."""

    BANK = "bank"
    PAYMENT_INSTITUTION = "payment_institution"


class FlowDirection(StrEnum):
    """A receipt of money for exports (收汇) or a payment for imports (付汇)."""

    RECEIPT = "receipt"
    PAYMENT = "payment"


class TransactionStatus(StrEnum):
    """Where a reported receipt or payment stands.

    ``held``: it would take an unregistered enterprise over the USD 200,000 line, so it was
    flagged and not applied; ``applied``: counted, allocated and posted (pending) in the
    ledger; ``reconciled``: a statement entry confirmed it (ledger posted); ``voided``:
    withdrawn by the institution (pending transfers voided).
    """

    HELD = "held"
    APPLIED = "applied"
    RECONCILED = "reconciled"
    VOIDED = "voided"


class ThresholdState(StrEnum):
    """The USD 200,000 rule (汇发〔2019〕28号, SAFE Q&A 2020-04-17) for one enterprise at one institution.

    ``below``: under USD 180,000; ``warning``: USD 180,000 to 200,000 (SAFE's early-warning
    list); ``registration_required``: over USD 200,000 (or on SAFE's list of firms over it)
    without a directory (名录) registration; ``registered``: registered, no limit applies.
    """

    BELOW = "below"
    WARNING = "warning"
    REGISTRATION_REQUIRED = "registration_required"
    REGISTERED = "registered"


class SettlementKind(StrEnum):
    """Foreign-exchange settlement into CNY (结汇), or cross-border RMB settlement (跨境人民币)."""

    FX = "fx"
    RMB = "rmb"


class DeductionKind(StrEnum):
    """What may be netted against export proceeds.

    Platform fees, and the overseas warehousing, logistics and tax costs SAFE's circular
    of 2020-05-20 allows cross-border e-commerce firms to net.
    """

    PLATFORM_FEE = "platform_fee"
    OVERSEAS_WAREHOUSING = "overseas_warehousing"
    LOGISTICS = "logistics"
    TAX = "tax"


class InstitutionRef(BaseModel):
    """The bank or payment institution an event concerns."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    party_id: str
    kind: InstitutionKind


@register_event
class TransactionReported(EventData):
    """A bank or payment institution reported a receipt or a payment for an enterprise."""

    event_type = "ddt.payments.transaction.reported"
    version = 1

    party_id: str = Field(description="the enterprise")
    institution: InstitutionRef
    transaction_id: str
    direction: FlowDirection
    amount: Decimal
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217")
    value_date: date
    amount_usd: Decimal = Field(description="USD equivalent at the customs monthly rates")
    amount_cny: Decimal
    status: TransactionStatus
    allocated: Decimal = Field(description="matched to declared goods, in the transaction currency")
    netted: Decimal = Field(description="fees and allowed costs netted, in the transaction currency")
    remainder: Decimal = Field(description="neither matched nor netted: stays visible")
    reported_at: AwareDatetime


@register_event
class TransactionStatusChanged(EventData):
    """A transaction was held, released, reconciled or voided."""

    event_type = "ddt.payments.transaction.status_changed"
    version = 1

    party_id: str
    institution: InstitutionRef
    transaction_id: str
    previous_status: TransactionStatus | None
    status: TransactionStatus
    reason: str
    occurred_at: AwareDatetime


@register_event
class ThresholdStateChanged(EventData):
    """The USD 200,000 state of an enterprise at an institution changed (an alert to both)."""

    event_type = "ddt.payments.threshold.state_changed"
    version = 1

    party_id: str
    institution: InstitutionRef
    year: int
    previous_state: ThresholdState | None
    state: ThresholdState
    receipts_usd: Decimal
    payments_usd: Decimal
    source: Literal["counter", "safe_list", "registration"]
    reason: str
    occurred_at: AwareDatetime


@register_event
class SettlementRecorded(EventData):
    """A receipt was settled: converted into CNY (fx), or settled in RMB across the border (rmb)."""

    event_type = "ddt.payments.settlement.recorded"
    version = 1

    party_id: str
    institution: InstitutionRef
    transaction_id: str
    settlement_id: str
    kind: SettlementKind
    amount: Decimal
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    amount_cny: Decimal
    rate: Decimal = Field(description="CNY per unit applied by the institution")
    settled_at: AwareDatetime


@register_event
class RmbSettlementYear(EventData):
    """An enterprise's cross-border RMB settlement in one calendar year (Beijing time), as a whole."""

    event_type = "ddt.payments.rmb_settlement.year"
    version = 1

    party_id: str
    year: int
    amount_cny: Decimal
    settlements: int = Field(ge=0)
    revision: int = Field(ge=1, description="grows with every change; keep the highest")
    as_of: AwareDatetime


@register_event
class InstitutionVolumeYear(EventData):
    """A bank's or payment institution's online cross-border volume in one year, as a whole."""

    event_type = "ddt.payments.institution_volume.year"
    version = 1

    party_id: str = Field(description="the institution")
    kind: InstitutionKind
    year: int
    volume_cny: Decimal
    transactions: int = Field(ge=0)
    revision: int = Field(ge=1)
    as_of: AwareDatetime
    name: str | None = None
    headquarters_in_city: bool = Field(
        default=False, description="a national or regional headquarters in the city (四(十四) requires one)"
    )
    licensed: bool = Field(default=True, description="its licence data passes the platform's rules")


@register_event
class FundsMonth(EventData):
    """The funds side of an enterprise's month (Beijing time): receipts and payments, matched or not."""

    event_type = "ddt.payments.funds.month"
    version = 1

    party_id: str
    month: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}$")
    receipts_cny: Decimal
    matched_receipts_cny: Decimal = Field(description="allocated to declared exports")
    netted_cny: Decimal
    payments_cny: Decimal
    matched_payments_cny: Decimal = Field(description="allocated to declared imports")
    unmatched_transactions: int = Field(ge=0)
    held_transactions: int = Field(ge=0)
    revision: int = Field(ge=1)
    as_of: AwareDatetime


@register_event
class StatementAccepted(EventData):
    """A bank statement (camt.053/054, MT940/942 or CSV) was accepted for an enterprise's account."""

    event_type = "ddt.payments.statement.accepted"
    version = 1

    party_id: str
    institution: InstitutionRef
    statement_id: str
    format: str
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    entries: int = Field(ge=0)
    opening_balance: Decimal | None
    closing_balance: Decimal | None
    occurred_at: AwareDatetime


@register_event
class ReconciliationCompleted(EventData):
    """A reconciliation run applied its matches (dry runs publish nothing)."""

    event_type = "ddt.payments.reconciliation.completed"
    version = 1

    party_id: str
    institution: InstitutionRef | None = None
    run_id: str
    matched: int = Field(ge=0)
    review: int = Field(ge=0)
    unmatched_entries: int = Field(ge=0)
    occurred_at: AwareDatetime


@register_event
class ShipmentDeclarationDue(EventData):
    """An export credit insurance shipment declaration (出运申报) is due soon, or overdue."""

    event_type = "ddt.payments.shipment_declaration.due"
    version = 1

    party_id: str
    declaration_id: str
    policy_no: str
    due_on: date
    status: Literal["remind", "overdue"]
    occurred_at: AwareDatetime


__all__ = [
    "DeductionKind",
    "FlowDirection",
    "FundsMonth",
    "InstitutionKind",
    "InstitutionRef",
    "InstitutionVolumeYear",
    "ReconciliationCompleted",
    "RmbSettlementYear",
    "SettlementKind",
    "SettlementRecorded",
    "ShipmentDeclarationDue",
    "StatementAccepted",
    "ThresholdState",
    "ThresholdStateChanged",
    "TransactionReported",
    "TransactionStatus",
    "TransactionStatusChanged",
]
