"""Every SQL statement of claims: claims, evidence, reminders, and the regulator's figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Text, case, func, or_, select, type_coerce

from services.logistics.base import table_of
from services.logistics.claims.models import Claim, ClaimEvidence, ClaimReminder
from services.logistics.shipments.models import Leg, Shipment
from shared.kit.pagination import Keyset, PageRequest
from shared.kit.repository import ModelRepository

_CLAIMS = table_of(Claim)
_NEWEST = Keyset([_CLAIMS.c.submitted_at, _CLAIMS.c.id], ["datetime", "str"])


class ClaimRepository(ModelRepository[Claim]):
    """Claims, their evidence files and the reminders sent."""

    model = Claim

    async def by_reference(self, claimant_party_id: str, reference: str) -> Claim | None:
        """The claimant's claim with this reference, or None."""
        return await self.session.scalar(
            select(Claim).where(Claim.claimant_party_id == claimant_party_id, Claim.reference == reference)
        )

    async def lock(self, claim_id: str) -> Claim | None:
        """The claim, locked for this transaction (its steps serialise)."""
        return await self.session.scalar(select(Claim).where(Claim.id == claim_id).with_for_update())

    async def list_page(
        self,
        page: PageRequest,
        *,
        claimant_party_ids: Sequence[str] | None,
        carrier_codes: Sequence[str] | None,
        status: str | None,
    ) -> tuple[list[Claim], str | None]:
        """Claims newest first: a claimant's, those against a carrier's codes, or all (None, None)."""
        stmt = select(Claim)
        parties = []
        if claimant_party_ids is not None:
            parties.append(Claim.claimant_party_id.in_(claimant_party_ids))
        if carrier_codes is not None:
            parties.append(Claim.carrier_code.in_(carrier_codes))
        if parties:
            stmt = stmt.where(or_(*parties))
        if status is not None:
            stmt = stmt.where(Claim.status == status)
        return await self.page(stmt, _NEWEST, page, key=lambda c: (c.submitted_at, c.id))

    async def evidence_of(self, claim_ids: Sequence[str]) -> dict[str, list[ClaimEvidence]]:
        """Evidence rows (without their content) of several claims, in upload order."""
        found: dict[str, list[ClaimEvidence]] = {cid: [] for cid in claim_ids}
        if claim_ids:
            rows = await self.session.scalars(
                select(ClaimEvidence)
                .where(ClaimEvidence.claim_id.in_(claim_ids))
                .order_by(ClaimEvidence.claim_id, ClaimEvidence.id)
            )
            for row in rows:
                found[row.claim_id].append(row)
        return found

    def add_evidence(self, row: ClaimEvidence) -> None:
        """Stage a new evidence file."""
        self.session.add(row)

    async def evidence_by_hash(self, claim_id: str, sha256: str) -> ClaimEvidence | None:
        """The claim's file with this content, or None."""
        return await self.session.scalar(
            select(ClaimEvidence).where(ClaimEvidence.claim_id == claim_id, ClaimEvidence.sha256 == sha256)
        )

    async def evidence(self, claim_id: str, evidence_id: int) -> ClaimEvidence | None:
        """One file of the claim, or None."""
        return await self.session.scalar(
            select(ClaimEvidence).where(ClaimEvidence.claim_id == claim_id, ClaimEvidence.id == evidence_id)
        )

    async def exception_shipments(self, kinds: Sequence[str], since: dt.datetime) -> list[Shipment]:
        """Shipments changed since ``since`` whose track had a ``kinds`` exception and that have
        no claim yet.

        ``exceptions`` is JSON text with sorted keys and no spaces, so a kind is ``"kind":``."""
        text = type_coerce(Shipment.exceptions, Text)
        claimed = select(Claim.id).where(Claim.shipment_id == Shipment.id).exists()
        rows = await self.session.scalars(
            select(Shipment)
            .where(
                Shipment.updated_at >= since, or_(*(text.like(f'%"{kind}":%') for kind in kinds)), ~claimed
            )
            .order_by(Shipment.created_at, Shipment.id)
        )
        return list(rows)

    async def reminded(self, shipment_id: str) -> set[tuple[str, dt.date]]:
        """(kind, window_closes_on) of the reminders already sent for the shipment."""
        rows = await self.session.execute(
            select(ClaimReminder.kind, ClaimReminder.window_closes_on).where(
                ClaimReminder.shipment_id == shipment_id
            )
        )
        return {(row.kind, row.window_closes_on) for row in rows}

    async def carrier_figures(self, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
        """Per carrier code: claims submitted in [start, end), their decisions, payments and
        payout seconds; and the shipments with a leg of the carrier created in the period."""
        claims = (
            select(
                Claim.carrier_code.label("carrier_code"),
                func.count().label("claims"),
                func.sum(case((Claim.approved_cny.is_not(None), 1), else_=0)).label("approved"),
                func.sum(
                    case((Claim.decided_at.is_not(None) & Claim.approved_cny.is_(None), 1), else_=0)
                ).label("rejected"),
                func.sum(case((Claim.paid_fen.is_not(None), 1), else_=0)).label("paid"),
                func.coalesce(func.sum(Claim.paid_fen), 0).label("paid_fen"),
                func.sum(Claim.payout_seconds).label("payout_seconds"),
            )
            .where(Claim.submitted_at >= start, Claim.submitted_at < end)
            .group_by(Claim.carrier_code)
        )
        shipments = (
            select(
                Leg.carrier_code.label("carrier_code"), func.count(func.distinct(Leg.shipment_id)).label("n")
            )
            .where(Leg.created_at >= start, Leg.created_at < end)
            .group_by(Leg.carrier_code)
        )
        by_code: dict[str, dict[str, Any]] = {}
        for row in (await self.session.execute(shipments)).mappings():
            by_code[row["carrier_code"]] = {"shipments": int(row["n"])}
        for row in (await self.session.execute(claims)).mappings():
            by_code.setdefault(row["carrier_code"], {"shipments": 0}).update(
                claims=int(row["claims"]),
                approved=int(row["approved"] or 0),
                rejected=int(row["rejected"] or 0),
                paid=int(row["paid"] or 0),
                paid_fen=int(row["paid_fen"] or 0),
                payout_seconds=int(row["payout_seconds"] or 0),
            )
        return [{"carrier_code": code, **figures} for code, figures in sorted(by_code.items())]
