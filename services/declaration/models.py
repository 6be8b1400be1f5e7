"""Every table of the declaration service, imported so Alembic sees one MetaData.

The tables live with their domain modules: ``documents`` (filings, documents, status
history), ``matching`` (three-document match state), ``quota`` (annual quota per
buyer), ``tax`` (assessments), ``directory`` (enterprise codes → parties), ``milestones``
(the track's CEB507/509/513 for carriers) and
``customs`` (the exchange with customs: outbox, customs state, receipts, results).
"""

from __future__ import annotations

from services.declaration.base import Base, metadata
from services.declaration.customs.models import (
    CustomsDocument,
    CustomsOutboundMessage,
    CustomsReceipt,
    CustomsReceiptEntry,
    CustomsSummaryLine,
    CustomsSummaryResult,
    CustomsTaxBill,
    SimulatorSnapshot,
    SummaryReminder,
)
from services.declaration.directory.models import PartyCodeEntry
from services.declaration.documents.models import Document, Filing, StatusChange
from services.declaration.matching.models import InventoryMatch
from services.declaration.milestones.models import MilestoneFilingChoice, TrackMilestone
from services.declaration.quota.models import BuyerQuota, QuotaUsage
from services.declaration.tax.models import TaxAssessmentRow

__all__ = [
    "Base",
    "BuyerQuota",
    "CustomsDocument",
    "CustomsOutboundMessage",
    "CustomsReceipt",
    "CustomsReceiptEntry",
    "CustomsSummaryLine",
    "CustomsSummaryResult",
    "CustomsTaxBill",
    "Document",
    "Filing",
    "InventoryMatch",
    "MilestoneFilingChoice",
    "PartyCodeEntry",
    "QuotaUsage",
    "SimulatorSnapshot",
    "StatusChange",
    "SummaryReminder",
    "TaxAssessmentRow",
    "TrackMilestone",
    "metadata",
]
