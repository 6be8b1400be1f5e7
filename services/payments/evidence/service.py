"""Assembling, signing and keeping a transaction's evidence package.

What a package holds (SAFE 汇发〔2019〕13号 asks institutions to rest FX business on
"transaction electronic information"; the field list is the platform's, docs/payments.md):

* the transaction as reported (amount, currency, value date, payout reference, platform;
  the remitter only masked), its allocation, netted costs and remainder;
* the enterprise (name, USCC, customs code);
* every matched inventory with its goods lines (names, HS codes, quantities, units,
  prices, amounts, currencies), its customs receipts (release 800, clearance 899 …, with
  times) and numbers (order, waybill, inventory);
* the orders, waybills and payment receipts (CEB403) of the same orders;
* the logistics tracking of their waybills.

Everything comes from the events payments consumed; it never reads another service's
database. A package is re-assembled when fetched; if its content changed since the last
version (a new receipt, a clearance), a new version is signed and kept, else the kept
version is answered, so versions only record real changes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.amounts import canonical
from services.payments.context import PaymentsContext
from services.payments.evidence import signing
from services.payments.evidence.models import EvidencePackage
from services.payments.evidence.repository import EvidenceRepository
from services.payments.goods.models import GoodsDocument
from services.payments.goods.repository import GoodsRepository
from services.payments.goods.service import enterprise_codes
from services.payments.parties.repository import PartyRepository
from services.payments.transactions.models import Transaction
from services.payments.transactions.repository import TransactionRepository
from shared.currencies import to_iso

SCHEMA = "ddt-evidence/1"


def _money(value: Any) -> str | None:
    return None if value is None else str(canonical(value))


def _time(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


async def _documents(
    session: AsyncSession, repo: GoodsRepository, txn: Transaction, matched_ids: list[str]
) -> tuple[list[GoodsDocument], list[GoodsDocument], list[GoodsDocument], list[GoodsDocument]]:
    inventories = [d for d in [await repo.document(i) for i in matched_ids] if d is not None]
    order_nos = sorted({d.order_no for d in inventories if d.order_no})
    codes = await enterprise_codes(session, txn.enterprise_party_id)
    related = (
        await repo.documents_of(codes, txn.enterprise_party_id, order_nos=order_nos) if order_nos else []
    )
    # Orders are filed by the platform under the enterprise's ebcCode, so search by order number too.
    orders = [d for d in related if d.kind == "order"]
    payments = [d for d in related if d.kind == "payment"]
    logistics_nos = sorted({d.logistics_no for d in inventories if d.logistics_no})
    waybills = [d for d in await repo.by_logistics_no(logistics_nos) if d.kind == "waybill"]
    return inventories, orders, waybills, payments


def _document(doc: GoodsDocument, lines: list[Any], statuses: list[Any]) -> dict[str, Any]:
    return {
        "document_id": doc.document_id,
        "kind": doc.kind,
        "message_type": doc.message_type,
        "direction": doc.direction,
        "mode": doc.mode,
        "order_no": doc.order_no,
        "logistics_no": doc.logistics_no,
        "logistics_code": doc.logistics_code,
        "invt_no": doc.invt_no,
        "ebc_code": doc.ebc_code,
        "ebp_code": doc.ebp_code,
        "destination_or_origin": doc.country,
        "currency": to_iso(doc.currency) if doc.currency else None,
        "value": _money(doc.value),
        "returned_value": _money(doc.returned_value),
        "status": doc.status,
        "accepted_at": _time(doc.accepted_at),
        "released_at": _time(doc.released_at),
        "closed_at": _time(doc.closed_at),
        "goods": [
            {
                "gnum": line.gnum,
                "item_no": line.item_no,
                "name": line.name,
                "hs_code": line.gcode,
                "quantity": _money(line.quantity),
                "unit": line.unit,
                "unit_price": _money(line.unit_price),
                "amount": _money(line.total_price),
                "currency": to_iso(line.currency),
                "origin_country": line.country,
            }
            for line in lines
        ],
        "customs_receipts": [
            {"status": s.status, "customs_status": s.customs_status, "at": _time(s.occurred_at)}
            for s in statuses
            if s.customs_status or s.status in {"released", "closed", "cleared", "cancelled", "returned_part"}
        ],
    }


async def assemble(session: AsyncSession, txn: Transaction) -> dict[str, Any]:
    """The package's content (without its version and time)."""
    goods = GoodsRepository(session)
    trepo = TransactionRepository(session)
    allocations = (await trepo.allocations([txn.id])).get(txn.id, [])
    deductions = (await trepo.deductions([txn.id])).get(txn.id, [])
    inventories, orders, waybills, payments = await _documents(
        session, goods, txn, [a.document_id for a in allocations]
    )
    every = [*inventories, *orders, *waybills, *payments]
    lines = await goods.lines(d.document_id for d in every)
    statuses = await goods.statuses(d.document_id for d in every)
    tracking = await goods.tracking(sorted({d.logistics_no for d in every if d.logistics_no}))
    party = (await PartyRepository(session).many([txn.enterprise_party_id])).get(txn.enterprise_party_id)

    def docs(items: list[GoodsDocument]) -> list[dict[str, Any]]:
        return [
            _document(d, lines.get(d.document_id, []), statuses.get(d.document_id, []))
            for d in sorted(items, key=lambda x: x.document_id)
        ]

    return {
        "schema": SCHEMA,
        "transaction": {
            "id": txn.id,
            "reference": txn.reference,
            "institution_party_id": txn.institution_party_id,
            "direction": txn.direction,
            "amount": _money(txn.amount),
            "currency": txn.currency,
            "value_date": txn.value_date.isoformat(),
            "amount_usd": _money(txn.amount_usd),
            "amount_cny": _money(txn.amount_cny),
            "rate_month": txn.rate_month,
            "payout_reference": txn.payout_reference,
            "platform": txn.platform_name,
            "end_to_end_id": txn.end_to_end_id,
            "counterparty": {"name": txn.counterparty_masked, "country": txn.counterparty_country},
            "status": txn.status,
            "reported_at": _time(txn.reported_at),
        },
        "enterprise": {
            "party_id": txn.enterprise_party_id,
            "name": party.name if party else None,
            "uscc": party.uscc if party else None,
            "customs_code": party.customs_code if party else None,
        },
        "allocation": {
            "allocated": _money(txn.allocated),
            "netted": _money(txn.netted),
            "remainder": _money(txn.remainder),
            "lines": [
                {
                    "document_id": a.document_id,
                    "order_no": a.order_no,
                    "amount": _money(a.amount),
                    "goods_amount": _money(a.goods_amount),
                    "goods_currency": to_iso(a.goods_currency),
                    "active": a.active,
                }
                for a in allocations
            ],
            "deductions": [{"kind": d.kind, "amount": _money(d.amount), "note": d.note} for d in deductions],
            "unmatched_orders": list(txn.unmatched_orders),
        },
        "inventories": docs(inventories),
        "orders": docs(orders),
        "waybills": docs(waybills),
        "payment_receipts": docs(payments),
        "logistics": [
            {
                "logistics_no": t.logistics_no,
                "order_no": t.order_no,
                "status": t.status,
                "sub_status": t.sub_status,
                "location": t.location,
                "at": _time(t.occurred_at),
            }
            for t in tracking
        ],
        "sources": ["ddt.declaration.events", "ddt.logistics.events", "ddt.payments (transaction report)"],
    }


async def current(
    session: AsyncSession, ctx: PaymentsContext, txn: Transaction, now: dt.datetime
) -> EvidencePackage:
    """The transaction's package: the kept version if nothing changed, else a newly signed one."""
    content = await assemble(session, txn)
    content_digest = signing.digest(content)
    repo = EvidenceRepository(session)
    latest = await repo.latest(txn.id)
    if latest is not None and latest.content_digest == content_digest:
        return latest
    version = (latest.version + 1) if latest else 1
    package_id = f"evp_{uuid.uuid4().hex[:24]}"
    package = {**content, "package_id": package_id, "version": version, "assembled_at": now.isoformat()}
    kid = ctx.settings.evidence_key_id
    added = await repo.add(
        {
            "id": package_id,
            "transaction_id": txn.id,
            "version": version,
            "content_digest": content_digest,
            "sha256": signing.digest(package),
            "kid": kid,
            "jws": signing.sign(package, ctx.signing_key, kid),
            "assembled_at": now,
        }
    )
    stored = await repo.get(package_id) if added else await repo.latest(txn.id)
    assert stored is not None
    return stored
