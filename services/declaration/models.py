"""Every table of the declaration service, imported so Alembic sees one MetaData.

The tables live with their domain modules: ``documents`` (filings, documents, status
history), ``matching`` (three-document match state), ``quota`` (annual quota per
buyer), ``tax`` (assessments) and ``directory`` (enterprise codes → parties).
"""

from __future__ import annotations

from services.declaration.base import Base, metadata
from services.declaration.directory.models import PartyCodeEntry
from services.declaration.documents.models import Document, Filing, StatusChange
from services.declaration.matching.models import InventoryMatch
from services.declaration.quota.models import BuyerQuota, QuotaUsage
from services.declaration.tax.models import TaxAssessmentRow

__all__ = [
    "Base",
    "BuyerQuota",
    "Document",
    "Filing",
    "InventoryMatch",
    "PartyCodeEntry",
    "QuotaUsage",
    "StatusChange",
    "TaxAssessmentRow",
    "metadata",
]
