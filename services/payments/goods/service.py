"""Keeping payments' copy of the declarations up to date, and reading it for an enterprise."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.goods import rules
from services.payments.goods.models import GoodsDocument
from services.payments.goods.repository import GoodsRepository
from services.payments.parties.repository import PartyRepository
from shared.events.declaration import DocumentFacts, GoodsLine
from shared.events.statuses import DocumentStatus
from shared.sqltypes import utcnow


@dataclass(frozen=True)
class Change:
    """What an event did to a document: whether it became (or stopped being) declared."""

    document: GoodsDocument
    was_declared: bool
    is_declared: bool


def _refs(facts: DocumentFacts) -> dict[str, str | None]:
    # The business references travel in the document facts; an order is its own orderNo,
    # a waybill its own logisticsNo, an inventory its own invtNo once customs gave one.
    kind = facts.document_kind
    return {
        "order_no": facts.order_no or (facts.business_no if kind == "order" else None),
        "logistics_no": facts.logistics_no or (facts.business_no if kind == "waybill" else None),
        "logistics_code": facts.logistics_code,
        "invt_no": facts.invt_no,
    }


async def apply(
    session: AsyncSession,
    facts: DocumentFacts,
    *,
    status: DocumentStatus | None,
    at: dt.datetime,
    accepted: bool = False,
    event_id: str | None = None,
    customs_status: str | None = None,
    reason: str | None = None,
) -> Change:
    """Merge one document event (accepted or status changed) into the stored document."""
    repo = GoodsRepository(session)
    existing = await repo.document(facts.document_id)
    was = existing is not None and rules.is_declared(existing.status)
    state = rules.StatusState(
        existing.status if existing else "unknown",
        existing.status_rank if existing else -1,
        existing.released_at if existing else None,
        existing.closed_at if existing else None,
    )
    if status is not None:
        state = rules.advance(state, status, at)
        if event_id is not None:
            await repo.add_status(
                {
                    "event_id": event_id,
                    "document_id": facts.document_id,
                    "status": status.value,
                    "customs_status": customs_status,
                    "reason": (reason or "")[:300] or None,
                    "occurred_at": at,
                }
            )
    refs = _refs(facts)
    row = {
        "document_id": facts.document_id,
        "party_id": facts.party_id,
        "kind": facts.document_kind,
        "message_type": facts.message_type,
        "direction": facts.direction,
        "mode": facts.mode or (existing.mode if existing else None),
        "business_no": facts.business_no,
        "order_no": refs["order_no"] or (existing.order_no if existing else None),
        "logistics_no": refs["logistics_no"] or (existing.logistics_no if existing else None),
        "logistics_code": refs["logistics_code"] or (existing.logistics_code if existing else None),
        "invt_no": refs["invt_no"] or (existing.invt_no if existing else None),
        "ebc_code": facts.ebc_code,
        "ebp_code": facts.ebp_code,
        "country": facts.country,
        "buyer_code": facts.buyer_code or (existing.buyer_code if existing else None),
        "buyer_name": facts.buyer_name or (existing.buyer_name if existing else None),
        "currency": facts.currency,
        "value": facts.value,
        "value_cny": facts.value_cny,
        "returned_value": existing.returned_value if existing else Decimal(0),
        "status": state.status,
        "status_rank": state.rank,
        "accepted_at": (
            existing.accepted_at if existing and existing.accepted_at else (at if accepted else None)
        ),
        "released_at": state.released_at,
        "closed_at": state.closed_at,
        "goods_revision": existing.goods_revision if existing else 0,
        "updated_at": utcnow(),
    }
    await repo.save_document(row)
    if existing is not None:
        session.expunge(existing)
    stored = await repo.document(facts.document_id)
    assert stored is not None
    return Change(stored, was, rules.is_declared(stored.status))


async def apply_goods(
    session: AsyncSession, facts: DocumentFacts, lines: list[GoodsLine], revision: int, at: dt.datetime
) -> bool:
    """Store a document's goods lines if this revision is newer than the stored one; True if stored."""
    repo = GoodsRepository(session)
    existing = await repo.document(facts.document_id)
    if existing is not None and existing.goods_revision >= revision:
        return False
    if existing is None:
        await apply(session, facts, status=None, at=at)
        existing = await repo.document(facts.document_id)
        assert existing is not None
    merged: dict[int, GoodsLine] = {}
    for line in lines:
        merged.setdefault(line.gnum, line)  # a producer listing a gnum twice: the first wins
    await repo.replace_lines(
        facts.document_id,
        [
            {
                "document_id": facts.document_id,
                "gnum": line.gnum,
                "item_no": line.item_no,
                "name": line.name[:250],
                "gcode": line.gcode,
                "quantity": line.quantity,
                "unit": line.unit,
                "unit_price": line.unit_price,
                "total_price": line.total_price,
                "currency": line.currency,
                "country": line.country,
            }
            for line in merged.values()
        ],
    )
    existing.goods_revision = revision
    return True


async def apply_return(session: AsyncSession, document_id: str, returned_value: Decimal) -> Decimal:
    """A customs-accepted return reduces what the enterprise is owed for the goods; how much it did."""
    existing = await GoodsRepository(session).document(document_id)
    if existing is None:
        return Decimal(0)
    new = min(existing.value, existing.returned_value + returned_value)
    applied = new - existing.returned_value
    existing.returned_value = new
    return applied


async def enterprise_codes(session: AsyncSession, party_id: str) -> list[str]:
    """The codes documents name an enterprise by (its USCC and customs code)."""
    party = (await PartyRepository(session).many([party_id])).get(party_id)
    if party is None:
        return []
    return [code for code in (party.uscc, party.customs_code) if code]
