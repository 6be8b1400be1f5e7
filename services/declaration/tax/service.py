"""Tax of an accepted import inventory, with the fields of the customs tax bill (CEB816).

The arithmetic is the pure core's (:func:`services.declaration.ceb.tax.assess_inventory`:
tariff 0 and VAT/consumption tax at 70 % within the limits, full general rates for a
single indivisible item above 5,000 CNY, per-line fen rounding). The service adds the
limits from settings, the HS rate table, and storage. The annual limit is not checked
here: :mod:`services.declaration.quota.service` does it under a lock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.declaration.ceb.model import Record
from services.declaration.ceb.tax import HsRateTable, LimitConfig, TaxAssessment, assess_inventory
from services.declaration.tax.models import TaxAssessmentRow

TAX_ASSESSMENTS: Table = TaxAssessmentRow.__table__  # type: ignore[assignment]


def assess(record: Record, table: HsRateTable, limits: LimitConfig, index: int) -> TaxAssessment:
    """Assess one CEB621 record (single-transaction limit included; annual quota excluded)."""
    return assess_inventory(record, table, limits, used_this_year=None, index=index)


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


async def store(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Insert assessments (one statement)."""
    if rows:
        await session.execute(insert(TAX_ASSESSMENTS), list(rows))


async def replace(session: AsyncSession, document_id: str, row: dict[str, Any]) -> None:
    """Replace the assessment of an amended inventory."""
    table = TAX_ASSESSMENTS
    await session.execute(table.delete().where(table.c.document_id == document_id))
    await session.execute(insert(table), [row])


def tax_bill(row: TaxAssessmentRow) -> dict[str, Any]:
    """CEB816-shaped view: TaxHeadRd amounts plus TaxListRd lines (customs assigns taxNo)."""
    return {
        "treatment": row.treatment,
        "dutiableValue": format(row.dutiable_value, "f"),
        "taxHeadRd": {
            "customsTax": format(row.customs_tax, "f"),
            "valueAddedTax": format(row.value_added_tax, "f"),
            "consumptionTax": format(row.consumption_tax, "f"),
            "totalTax": format(row.customs_tax + row.value_added_tax + row.consumption_tax, "f"),
        },
        "taxListRd": row.lines,
        "assessedAt": row.assessed_at.isoformat(),
    }


async def find(session: AsyncSession, document_id: str) -> TaxAssessmentRow | None:
    """The stored assessment of an inventory."""
    return await session.scalar(select(TaxAssessmentRow).where(TaxAssessmentRow.document_id == document_id))
