"""Every table of the payments service, imported so Alembic sees one MetaData.

The tables live with their domain modules: ``parties`` (the registry mirror) and
``institutions`` (licence data, client relations and sealed accounts, grants), ``goods``
(the declarations, from events), ``transactions`` (reported receipts and payments, their
allocations and deductions) and ``threshold`` (the USD 200,000 counters, SAFE's lists,
directory registrations).
"""

from __future__ import annotations

from services.payments.base import Base, metadata
from services.payments.evidence.models import EvidencePackage
from services.payments.figures.models import FigureRevision
from services.payments.goods.models import CustomsStatusRow, GoodsDocument, GoodsLineRow, TrackingRow
from services.payments.institutions.models import (
    AccessGrant,
    ClientAccount,
    ClientRelation,
    GrantChange,
    Institution,
)
from services.payments.insurance.models import (
    BuyerLimit,
    DeclarationReminder,
    InsurancePolicy,
    PolicyFinancing,
    ShipmentDeclaration,
)
from services.payments.ledger.models import LedgerAccount, LedgerTransfer
from services.payments.parties.models import Party
from services.payments.reconciliation.models import (
    ExpectedItem,
    Match,
    Proposal,
    ReconciliationRun,
    RejectedPair,
)
from services.payments.settlement.models import Settlement
from services.payments.statements.models import Statement, StatementEntry, StatementUpload
from services.payments.threshold.models import DirectoryRegistration, SafeListEntry, ThresholdCounter
from services.payments.transactions.models import Allocation, Deduction, Transaction

__all__ = [
    "AccessGrant",
    "BuyerLimit",
    "DeclarationReminder",
    "InsurancePolicy",
    "PolicyFinancing",
    "ShipmentDeclaration",
    "Allocation",
    "CustomsStatusRow",
    "Deduction",
    "DirectoryRegistration",
    "EvidencePackage",
    "ExpectedItem",
    "FigureRevision",
    "GoodsDocument",
    "GoodsLineRow",
    "SafeListEntry",
    "Settlement",
    "Statement",
    "StatementEntry",
    "StatementUpload",
    "ThresholdCounter",
    "TrackingRow",
    "Transaction",
    "Base",
    "ClientAccount",
    "ClientRelation",
    "GrantChange",
    "LedgerAccount",
    "LedgerTransfer",
    "Institution",
    "Match",
    "Party",
    "Proposal",
    "ReconciliationRun",
    "RejectedPair",
    "metadata",
]
