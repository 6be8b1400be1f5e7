"""What a document becoming declared (or undeclared) changes elsewhere in payments.

Kept in one place so the goods handlers stay a projection: the ledger's declared
receivable (and payable) follows from here, and so do export credit insurance's shipment
declarations.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.goods.models import GoodsDocument
from services.payments.goods.service import Change
from services.payments.insurance import service as insurance
from services.payments.ledger import service as ledger
from services.payments.parties.repository import PartyRepository
from shared.currencies import UnknownCurrency, to_iso
from shared.sqltypes import utcnow

#: The documents whose value the enterprise is owed (or owes): customs inventories.
LEDGER_KINDS = frozenset({"inventory"})


async def enterprise_of(session: AsyncSession, document: GoodsDocument) -> str:
    """The enterprise the goods are booked to: the party owning the ebcCode, else the filer."""
    if document.ebc_code:
        party = (await PartyRepository(session).by_uscc_or_code([document.ebc_code])).get(
            document.ebc_code.upper()
        )
        if party is not None:
            return party.party_id
    return document.party_id


def _iso(document: GoodsDocument) -> str | None:
    try:
        return to_iso(document.currency)
    except UnknownCurrency:
        return None


async def on_change(session: AsyncSession, change: Change) -> None:
    """Book goods that became declared, and reverse goods that stopped being declared."""
    document = change.document
    if change.was_declared == change.is_declared or document.kind not in LEDGER_KINDS:
        return
    currency = _iso(document)
    if currency is None:
        return
    enterprise = await enterprise_of(session, document)
    book = ledger.declared if change.is_declared else ledger.undeclared
    await book(
        session, enterprise, document.document_id, document.direction, document.value, currency, utcnow()
    )
    # Export credit insurance: a released export to an insured buyer is declared to the insurer.
    if change.is_declared:
        await insurance.prepare(session, document, enterprise, utcnow())
    else:
        await insurance.withdraw(session, document.document_id)


async def on_return(session: AsyncSession, document: GoodsDocument, return_id: str, amount: Decimal) -> None:
    """A return of declared goods."""
    currency = _iso(document)
    if currency is None or document.kind not in LEDGER_KINDS or amount <= 0:
        return
    enterprise = await enterprise_of(session, document)
    await ledger.returned(
        session, enterprise, document.document_id, return_id, document.direction, amount, currency, utcnow()
    )
