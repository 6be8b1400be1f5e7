"""Every statement on ``tax_assessments``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, insert, select

from services.declaration.tax.models import TaxAssessmentRow
from shared.kit.repository import ModelRepository

TAX_ASSESSMENTS: Table = TaxAssessmentRow.__table__  # type: ignore[assignment]


class TaxRepository(ModelRepository[TaxAssessmentRow]):
    """The tax assessment of each accepted import inventory."""

    model = TaxAssessmentRow

    async def add_all(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert assessments (one statement)."""
        if rows:
            await self.session.execute(insert(TAX_ASSESSMENTS), [dict(row) for row in rows])

    async def replace(self, document_id: str, row: Mapping[str, Any]) -> None:
        """Replace the assessment of an amended inventory."""
        await self.session.execute(
            TAX_ASSESSMENTS.delete().where(TAX_ASSESSMENTS.c.document_id == document_id)
        )
        await self.session.execute(insert(TAX_ASSESSMENTS), [dict(row)])

    async def of_document(self, document_id: str) -> TaxAssessmentRow | None:
        """The stored assessment of an inventory."""
        return await self.session.scalar(
            select(TaxAssessmentRow).where(TaxAssessmentRow.document_id == document_id)
        )


__all__ = ["TAX_ASSESSMENTS", "TaxRepository"]
