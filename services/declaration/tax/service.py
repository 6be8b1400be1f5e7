"""Tax of accepted import inventories: assessed at intake, kept, shown as a CEB816-shaped bill.

The arithmetic is :mod:`.rules` (tariff 0 and VAT/consumption tax at 70 % within the
limits, full general rates for a single indivisible item above 5,000 CNY, per-line fen
rounding), the limits :mod:`services.declaration.quota.rules`. This module assesses a
filing's inventories, stores the assessments of the accepted ones (a new inventory's
added, an amended one's replaced) and reads them back as the bill customs will send.
The annual limit is not checked here: :mod:`services.declaration.quota.service` does it
under a lock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.declaration.tax.models import TaxAssessmentRow
from services.declaration.tax.repository import TaxRepository
from services.declaration.tax.rules import TaxAssessment
from shared.currencies import display


def row_for(document_id: str, assessment: TaxAssessment, now: dt.datetime) -> dict[str, Any]:
    """The stored form of an assessment."""
    return {
        "document_id": document_id,
        "treatment": assessment.treatment.value,
        "dutiable_value": assessment.dutiable_value,
        "customs_tax": assessment.customs_tax,
        "value_added_tax": assessment.value_added_tax,
        "consumption_tax": assessment.consumption_tax,
        "lines": [line.to_tax_list_rd() for line in assessment.lines],
        "assessed_at": now,
    }


async def keep(
    session: AsyncSession,
    created: Mapping[str, TaxAssessment],
    amended: Mapping[str, TaxAssessment],
    now: dt.datetime,
) -> None:
    """Store the assessments of a filing: new inventories' added (one statement), amended ones' replaced."""
    repository = TaxRepository.from_session(session)
    await repository.add_all([row_for(doc_id, assessment, now) for doc_id, assessment in created.items()])
    for doc_id, assessment in amended.items():
        await repository.replace(doc_id, row_for(doc_id, assessment, now))


async def assessment_of(session: AsyncSession, document_id: str) -> TaxAssessmentRow | None:
    """The stored assessment of an inventory (None for other documents)."""
    return await TaxRepository.from_session(session).of_document(document_id)


def tax_bill(row: TaxAssessmentRow) -> dict[str, Any]:
    """CEB816-shaped view: TaxHeadRd amounts plus TaxListRd lines (customs assigns taxNo).

    Amounts in CNY at fen, as the tax lines are (the stored NUMERIC(19,5) would read
    ``152.56000`` from PostgreSQL and ``152.56`` from SQLite).
    """
    return {
        "treatment": row.treatment,
        "dutiableValue": display(row.dutiable_value),
        "taxHeadRd": {
            "customsTax": display(row.customs_tax),
            "valueAddedTax": display(row.value_added_tax),
            "consumptionTax": display(row.consumption_tax),
            "totalTax": display(row.customs_tax + row.value_added_tax + row.consumption_tax),
        },
        "taxListRd": row.lines,
        "assessedAt": row.assessed_at.isoformat(),
    }


__all__ = ["assessment_of", "keep", "row_for", "tax_bill"]
