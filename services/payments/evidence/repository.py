"""SQL of the evidence module."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from services.payments.base import table_of
from services.payments.evidence.models import EvidencePackage
from shared.kit.repository import Repository


class EvidenceRepository(Repository):
    """Every statement of the evidence module."""

    async def latest(self, transaction_id: str) -> EvidencePackage | None:
        """The newest package of a transaction."""
        return await self.session.scalar(
            select(EvidencePackage)
            .where(EvidencePackage.transaction_id == transaction_id)
            .order_by(EvidencePackage.version.desc())
            .limit(1)
        )

    async def get(self, package_id: str) -> EvidencePackage | None:
        """One package."""
        return await self.session.get(EvidencePackage, package_id)

    async def add(self, row: dict[str, Any]) -> bool:
        """Store a version; False if a concurrent fetch stored this version first."""
        return await self.insert_ignore(table_of(EvidencePackage), row) == 1

    async def versions(self, transaction_id: str) -> list[EvidencePackage]:
        """Every version, oldest first."""
        rows = await self.session.scalars(
            select(EvidencePackage)
            .where(EvidencePackage.transaction_id == transaction_id)
            .order_by(EvidencePackage.version)
        )
        return list(rows)
