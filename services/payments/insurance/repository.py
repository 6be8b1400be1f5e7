"""SQL of export credit insurance."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from services.payments.base import table_of
from services.payments.insurance.models import (
    BuyerLimit,
    DeclarationReminder,
    InsurancePolicy,
    PolicyFinancing,
    ShipmentDeclaration,
)
from shared.kit.pagination import Keyset, PageRequest
from shared.kit.repository import Repository


class InsuranceRepository(Repository):
    """Policies, limits, declarations, reminders, financings."""

    async def policy(self, policy_id: str) -> InsurancePolicy | None:
        """One policy."""
        return await self.session.get(InsurancePolicy, policy_id)

    async def policy_by_no(self, enterprise: str, insurer: str, policy_no: str) -> InsurancePolicy | None:
        """A policy by its number at an insurer."""
        return await self.session.scalar(
            select(InsurancePolicy).where(
                InsurancePolicy.enterprise_party_id == enterprise,
                InsurancePolicy.insurer == insurer,
                InsurancePolicy.policy_no == policy_no,
            )
        )

    async def policies_of(self, enterprises: Sequence[str] | None) -> list[InsurancePolicy]:
        """Policies of these enterprises (``None``: every one, a regulator's reading)."""
        stmt = select(InsurancePolicy).order_by(InsurancePolicy.id)
        if enterprises is not None:
            stmt = stmt.where(InsurancePolicy.enterprise_party_id.in_(list(enterprises) or [""]))
        return list(await self.session.scalars(stmt))

    async def policies_page(
        self, enterprises: Sequence[str] | None, request: PageRequest
    ) -> tuple[list[InsurancePolicy], str | None]:
        """A page of the policies of these enterprises (``None``: every one), in id order."""
        stmt = select(InsurancePolicy)
        if enterprises is not None:
            stmt = stmt.where(InsurancePolicy.enterprise_party_id.in_(list(enterprises) or [""]))
        keyset = Keyset([table_of(InsurancePolicy).c.id], ["str"], False)
        return await self.page(stmt, keyset, request, key=lambda r: (r.id,))

    async def add(self, row: Any) -> None:
        """Stage a new row."""
        self.session.add(row)
        await self.session.flush()

    async def limits(self, policy_ids: Sequence[str]) -> list[BuyerLimit]:
        """The buyer limits of these policies."""
        if not policy_ids:
            return []
        stmt = select(BuyerLimit).where(BuyerLimit.policy_id.in_(list(policy_ids))).order_by(BuyerLimit.id)
        return list(await self.session.scalars(stmt))

    async def limit(self, limit_id: str) -> BuyerLimit | None:
        """One buyer limit."""
        return await self.session.get(BuyerLimit, limit_id)

    async def add_declaration(self, row: dict[str, Any]) -> bool:
        """Store a prepared declaration; False if its export was declared before (a replay)."""
        return await self.insert_ignore(table_of(ShipmentDeclaration), row, conflict=["document_id"]) == 1

    async def declaration(self, declaration_id: str) -> ShipmentDeclaration | None:
        """One declaration."""
        return await self.session.get(ShipmentDeclaration, declaration_id)

    async def declaration_of_document(self, document_id: str) -> ShipmentDeclaration | None:
        """The declaration prepared from a released inventory."""
        return await self.session.scalar(
            select(ShipmentDeclaration).where(ShipmentDeclaration.document_id == document_id)
        )

    async def declarations(
        self,
        enterprises: Sequence[str] | None,
        *,
        limit_ids: Sequence[str] | None = None,
        statuses: Sequence[str] | None = None,
    ) -> list[ShipmentDeclaration]:
        """Declarations of these enterprises (``None``: all) or limits, in shipment order."""
        stmt = select(ShipmentDeclaration).order_by(ShipmentDeclaration.shipment_date, ShipmentDeclaration.id)
        if enterprises is not None:
            stmt = stmt.where(ShipmentDeclaration.enterprise_party_id.in_(list(enterprises) or [""]))
        if limit_ids is not None:
            stmt = stmt.where(ShipmentDeclaration.limit_id.in_(list(limit_ids) or [""]))
        if statuses is not None:
            stmt = stmt.where(ShipmentDeclaration.status.in_(list(statuses)))
        return list(await self.session.scalars(stmt))

    async def declarations_page(
        self, enterprises: Sequence[str] | None, request: PageRequest
    ) -> tuple[list[ShipmentDeclaration], str | None]:
        """A page of the declarations of these enterprises (``None``: all), in shipment order."""
        stmt = select(ShipmentDeclaration)
        if enterprises is not None:
            stmt = stmt.where(ShipmentDeclaration.enterprise_party_id.in_(list(enterprises) or [""]))
        table = table_of(ShipmentDeclaration)
        keyset = Keyset([table.c.shipment_date, table.c.id], ["date", "str"], False)
        return await self.page(stmt, keyset, request, key=lambda r: (r.shipment_date, r.id))

    async def add_reminder(self, row: dict[str, Any]) -> bool:
        """Record a reminder; False if this stage was given before (another replica, a restart)."""
        return await self.insert_ignore(table_of(DeclarationReminder), row) == 1

    async def financings(self, policy_ids: Sequence[str]) -> list[PolicyFinancing]:
        """Financings of these policies."""
        if not policy_ids:
            return []
        stmt = (
            select(PolicyFinancing)
            .where(PolicyFinancing.policy_id.in_(list(policy_ids)))
            .order_by(PolicyFinancing.recorded_at, PolicyFinancing.id)
        )
        return list(await self.session.scalars(stmt))

    async def financing_by_agreement(self, policy_id: str, agreement_no: str) -> PolicyFinancing | None:
        """A financing by its agreement number."""
        return await self.session.scalar(
            select(PolicyFinancing).where(
                PolicyFinancing.policy_id == policy_id, PolicyFinancing.agreement_no == agreement_no
            )
        )
